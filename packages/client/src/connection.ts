import * as grpc from '@grpc/grpc-js';
import { CLIENT_FLOW_CONTROL_OPTIONS, services } from '@gregor/proto';
import { parseBrokerList } from './cluster/broker-list';
import { GregorError } from './errors';

export { DEFAULT_ADDRESS } from './cluster/broker-list';

type ServiceName = keyof typeof services;

export interface ConnectionOptions {
  /** host:port of a broker; default the first of $GREGOR_BROKER, else 127.0.0.1:7070. */
  address?: string;
  /** Per-call deadline for unary calls, ms (default 30000). */
  requestTimeoutMs?: number;
}

/**
 * One gRPC channel to a broker, shared by Producer, Consumer and Admin.
 * Calls are made through the loaded service definitions, so every method is
 * serialized the same way as on the broker.
 */
export class Connection {
  readonly address: string;
  private readonly client: grpc.Client;
  readonly requestTimeoutMs: number;

  constructor(options: ConnectionOptions = {}) {
    this.address = options.address ?? parseBrokerList(undefined)[0];
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30000;
    this.client = new grpc.Client(this.address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      // A restarted broker is found again within a second, not after grpc's default backoff of up to two minutes.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      ...CLIENT_FLOW_CONTROL_OPTIONS,
    });
  }

  private method(service: ServiceName, method: string): grpc.MethodDefinition<unknown, unknown> {
    const definition = services[service].service[method];
    if (!definition) throw new Error(`no method ${service}.${method}`);
    return definition as grpc.MethodDefinition<unknown, unknown>;
  }

  /** A unary call; failures reject with GregorError. */
  unary<Req, Res>(service: ServiceName, method: string, request: Req, timeoutMs = this.requestTimeoutMs): Promise<Res> {
    const m = this.method(service, method);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize as (r: Req) => Buffer,
        m.responseDeserialize as (b: Buffer) => Res,
        request,
        { deadline: Date.now() + timeoutMs },
        (err, response) => (err ? reject(GregorError.from(err)) : resolve(response as Res)),
      );
    });
  }

  serverStream<Req, Res>(service: ServiceName, method: string, request: Req): grpc.ClientReadableStream<Res> {
    const m = this.method(service, method);
    return this.client.makeServerStreamRequest(
      m.path,
      m.requestSerialize as (r: Req) => Buffer,
      m.responseDeserialize as (b: Buffer) => Res,
      request,
    );
  }

  bidiStream<Req, Res>(service: ServiceName, method: string): grpc.ClientDuplexStream<Req, Res> {
    const m = this.method(service, method);
    return this.client.makeBidiStreamRequest(
      m.path,
      m.requestSerialize as (r: Req) => Buffer,
      m.responseDeserialize as (b: Buffer) => Res,
    );
  }

  /** A bidi stream whose requests the caller has already serialized. */
  serializedBidiStream<Res>(service: ServiceName, method: string): grpc.ClientDuplexStream<Buffer, Res> {
    const m = this.method(service, method);
    return this.client.makeBidiStreamRequest(m.path, (request: Buffer) => request, m.responseDeserialize as (b: Buffer) => Res);
  }

  /** Resolves once the channel is connected, or rejects after timeoutMs. */
  waitForReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(GregorError.from(err)) : resolve()));
    });
  }

  close(): void {
    this.client.close();
  }
}
