import * as grpc from '@grpc/grpc-js';
import { services } from '@gregor/proto';
import { BrokerProcess, startBroker } from '@gregor/testkit';

type Unary = (request: object, metadata: grpc.Metadata, callback: (err: grpc.ServiceError | null, response: object) => void) => void;

/** The peer API is served on the peer port only, and only to the cluster's own broker ids. */
describe('the peer listener', () => {
  let broker: BrokerProcess;
  const clients: grpc.Client[] = [];

  const connect = (ctor: grpc.ServiceClientConstructor, address: string): grpc.Client => {
    const client = new ctor(address, grpc.credentials.createInsecure());
    clients.push(client);
    return client;
  };

  /** Settles with the call's gRPC error, or null when it succeeded. */
  const outcome = (client: grpc.Client, method: string, request: object, callerId?: string): Promise<grpc.ServiceError | null> => {
    const metadata = new grpc.Metadata();
    if (callerId !== undefined) metadata.set('gregor-peer-id', callerId);
    return new Promise((resolve) => (client as unknown as Record<string, Unary>)[method].call(client, request, metadata, (err) => resolve(err)));
  };

  const proposal = { command: JSON.stringify({ type: 'initCluster', clusterId: 'hijacked' }) };

  beforeAll(async () => {
    broker = await startBroker();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await broker?.cleanup();
  });

  it('is not served on the client port', async () => {
    const peer = connect(services.Peer, broker.address);
    for (const [method, request] of [['Propose', proposal], ['ReplicaStatus', {}], ['Heartbeat', { brokerId: 1, address: 'x:1' }]] as const) {
      expect(await outcome(peer, method, request, '1')).toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    }
  });

  it('refuses callers that name no broker id or one outside the cluster, on every peer method', async () => {
    const peer = connect(services.Peer, broker.peerAddress);
    const groups = connect(services.Groups, broker.peerAddress);
    for (const callerId of [undefined, '2', 'one', '']) {
      for (const [client, method, request] of [
        [peer, 'Propose', proposal],
        [peer, 'ReplicaStatus', {}],
        [peer, 'Heartbeat', { brokerId: 2, address: 'x:1' }],
        // A joining broker's first heartbeat is let through only when it names its caller.
        [peer, 'Heartbeat', { brokerId: 3, address: 'x:1', peerAddress: 'x:2' }],
        [groups, 'FetchOffsets', { group: 'g' }],
      ] as const) {
        const refused = await outcome(client, method, request, callerId);
        expect(refused).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
        expect(refused!.metadata.get('gregor-error')).toEqual(['PERMISSION_DENIED']);
      }
    }
    const stream = await new Promise<grpc.ServiceError | null>((resolve) => {
      const metadata = new grpc.Metadata();
      metadata.set('gregor-peer-id', '2');
      (peer as unknown as { Stream(m: grpc.Metadata, cb: (err: grpc.ServiceError | null) => void): grpc.ClientWritableStream<object> }).Stream(metadata, resolve);
    });
    expect(stream).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  });

  it('answers a cluster member', async () => {
    const peer = connect(services.Peer, broker.peerAddress);
    expect(await outcome(peer, 'ReplicaStatus', {}, '1')).toBeNull();
  });
});
