import * as grpc from '@grpc/grpc-js';
import { BrokerProcess, startBroker } from '@gregor/testkit';
import { PEER_ID_METADATA } from '../src/cluster/peer-identity';
import { RawClient } from './helpers/raw-client';

/** Requests a broker must refuse with a clear status, without crashing or touching stored data. */
describe('bad input', () => {
  let broker: BrokerProcess;
  let client: RawClient;
  let raw: grpc.Client;
  /** On the peer port, as broker 1 itself: peer calls from an id not in --peers are refused before they are read. */
  let peer: grpc.Client;

  beforeAll(async () => {
    broker = await startBroker();
    client = new RawClient(broker.address);
    raw = new grpc.Client(broker.address, grpc.credentials.createInsecure());
    peer = new grpc.Client(broker.peerAddress, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    raw?.close();
    peer?.close();
    client?.close();
    await broker?.cleanup();
  });

  /** Sends `hex` as the request message itself, bypassing any serializer. */
  function rawCall(path: string, hex: string): Promise<grpc.ServiceError | null> {
    const bytes = Buffer.from(hex.replace(/ /g, ''), 'hex');
    return new Promise((resolve) => {
      if (!path.startsWith('/gregor.v1.Peer/')) {
        raw.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (err) => resolve(err));
        return;
      }
      const metadata = new grpc.Metadata();
      metadata.set(PEER_ID_METADATA, '1');
      peer.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata, (err) => resolve(err));
    });
  }

  describe('undecodable requests', () => {
    const garbage: Array<[string, string, string]> = [
      ['a string longer than the message', '0a ff ff ff ff 0f 41', 'only 1 remain'],
      ['a string that is not UTF-8', '0a 02 c3 28', 'not valid UTF-8'],
      ['a string sent as a varint', '08 01', 'wire type 0, expected 2'],
      ['a cut-off varint', '10 ff', 'cut off'],
      ['a group', '0b 0c', 'wire type 3'],
      ['field number 0', '02 00', 'numbered 0'],
      ['an unknown field cut off', 'fa 01 05 41', 'only 1 remain'],
    ];

    it.each(garbage)('refuses %s with INVALID_ARGUMENT', async (_what, hex, detail) => {
      for (const method of ['CreateTopic', 'DeleteTopic']) {
        const err = await rawCall(`/gregor.v1.Admin/${method}`, hex);
        expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(err?.details).toContain('malformed request');
        expect(err?.details).toContain(detail);
        expect(err?.metadata.get('gregor-error')).toEqual(['INVALID_REQUEST']);
      }
      expect((await client.call('Admin', 'ListTopics', {})).topics).toEqual([]);
    });

    it('refuses garbage on the peer and streaming services too', async () => {
      expect((await rawCall('/gregor.v1.Peer/Heartbeat', '12 05 41'))?.code).toBe(grpc.status.INVALID_ARGUMENT);
      const stream = raw.makeBidiStreamRequest('/gregor.v1.Log/ProduceStream', (b: Buffer) => b, (b: Buffer) => b);
      const failed = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      stream.on('data', () => undefined);
      stream.write(Buffer.from('120541', 'hex'));
      expect((await failed).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(broker.running).toBe(true);
    });

    it('still accepts well-formed unknown fields, as protobuf requires', async () => {
      // name = "ok", then unknown field 15 as a varint and unknown field 16 as bytes
      expect(await rawCall('/gregor.v1.Admin/CreateTopic', '0a 02 6f 6b 78 05 82 01 01 41')).toBeNull();
      await client.call('Admin', 'DeleteTopic', { name: 'ok' });
    });
  });

  it('reserves the names of internal topics', async () => {
    for (const name of ['__cluster_metadata', '__consumer_offsets', '__mine']) {
      const created = await client.failure('Admin', 'CreateTopic', { name });
      expect(created.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(created.details).toContain('reserved for internal topics');
    }
    expect((await client.failure('Admin', 'DeleteTopic', { name: '__consumer_offsets' })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await client.call('Admin', 'ListTopics', {})).topics.map((t: { name: string }) => t.name)).not.toContain('__mine');
  });

  it('refuses to alter a topic with nothing to change', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'alter-nothing' });
    const err = await client.failure('Admin', 'AlterTopicConfig', { name: 'alter-nothing', set: {}, reset: [] });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain('nothing to alter');
    await client.call('Admin', 'DeleteTopic', { name: 'alter-nothing' });
  });

  it('refuses a peer heartbeat from a broker not in --peers, or without host:port', async () => {
    const hex = (brokerId: number, address: string): string => `08${brokerId.toString(16).padStart(2, '0')}12${address.length.toString(16).padStart(2, '0')}${Buffer.from(address).toString('hex')}`;
    for (const [brokerId, address] of [[7, '127.0.0.1:1'], [1, 'fz-a'], [1, ':7070'], [1, 'h:99999']] as const) {
      const err = await rawCall('/gregor.v1.Peer/Heartbeat', hex(brokerId, address));
      expect({ brokerId, address, code: err?.code }).toEqual({ brokerId, address, code: grpc.status.INVALID_ARGUMENT });
    }
    const cluster = await client.call('Admin', 'DescribeCluster', {});
    expect(cluster.brokers.map((b: { id: number; host: string; port: number }) => [b.id, b.host, b.port])).toEqual([[1, '127.0.0.1', broker.port]]);
  });

  it('ends a subscription whose topic is deleted under it, and keeps serving', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'deleted-under-sub' });
    await client.call('Log', 'Produce', { topic: 'deleted-under-sub', partition: 0, records: [{ value: Buffer.from('x') }] });
    const sub = client.subscribe({ topic: 'deleted-under-sub', partition: 0, offset: 0 });
    const ended = new Promise<grpc.ServiceError>((resolve) => sub.on('error', resolve));
    // Once the record arrives the subscription is waiting at the end of the log, not still starting.
    await new Promise((resolve) => sub.once('data', resolve));
    sub.on('data', () => undefined);
    await client.call('Admin', 'DeleteTopic', { name: 'deleted-under-sub' });
    expect((await ended).code).toBe(grpc.status.UNAVAILABLE);
    // A broker whose event loop spun on the closed replica would not answer this.
    expect((await client.call('Admin', 'ListTopics', {})).topics).toEqual([]);
  });

  it('refuses produce to an internal topic, whose records only the broker writes', async () => {
    await client.call('Groups', 'CommitOffsets', { group: 'g-internal', offsets: [] }).catch(() => undefined);
    const err = await client.failure('Log', 'Produce', { topic: '__consumer_offsets', partition: 0, records: [{ value: Buffer.from('{') }] });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain('reserved for internal topics');
  });
});
