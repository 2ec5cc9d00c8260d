import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * A plain grpc-js client built straight from proto/*.proto, as a client in
 * any language would be: no @gregor packages involved.
 */
const PROTO_ROOT = path.resolve(__dirname, '../../../../proto');

const definition = protoLoader.loadSync(
  ['gregor/v1/log.proto', 'gregor/v1/admin.proto', 'gregor/v1/groups.proto', 'grpc/health/v1/health.proto'],
  { includeDirs: [PROTO_ROOT], longs: Number, bytes: Buffer, enums: String, defaults: true, oneofs: true },
);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const root = grpc.loadPackageDefinition(definition) as any;

type Service = 'Log' | 'Admin' | 'Groups' | 'Health';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export class RawClient {
  private readonly clients: Record<Service, grpc.Client>;

  constructor(address: string) {
    const options = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
    const creds = grpc.credentials.createInsecure();
    this.clients = {
      Log: new root.gregor.v1.Log(address, creds, options),
      Admin: new root.gregor.v1.Admin(address, creds, options),
      Groups: new root.gregor.v1.Groups(address, creds, options),
      Health: new root.grpc.health.v1.Health(address, creds, options),
    };
  }

  call(service: Service, method: string, request: Message, timeoutMs = 15000): Promise<Message> {
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (this.clients[service] as any)[method](request, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res: Message) =>
        err ? reject(err) : resolve(res),
      );
    });
  }

  /** Resolves with the gRPC error of a call that must fail. */
  async failure(service: Service, method: string, request: Message): Promise<grpc.ServiceError> {
    try {
      await this.call(service, method, request);
    } catch (err) {
      return err as grpc.ServiceError;
    }
    throw new Error(`${service}.${method} unexpectedly succeeded`);
  }

  subscribe(request: Message): grpc.ClientReadableStream<Message> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (this.clients.Log as any).Subscribe(request);
  }

  produceStream(): grpc.ClientDuplexStream<Message, Message> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (this.clients.Log as any).ProduceStream();
  }

  close(): void {
    Object.values(this.clients).forEach((c) => c.close());
  }
}

/** A RawClient per broker of a cluster, made on first use. */
export class RawClients {
  private readonly clients = new Map<number, RawClient>();

  constructor(private readonly addressOf: (id: number) => string) {}

  get(id: number): RawClient {
    let client = this.clients.get(id);
    if (!client) this.clients.set(id, (client = new RawClient(this.addressOf(id))));
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }
}
