import * as http2 from 'http2';
import * as grpc from '@grpc/grpc-js';
import { FLOW_CONTROL_WINDOW_BYTES } from '@gregor/proto';
import { decodeBatch, encodeBatch, iterateBatches } from '@gregor/records';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { Message, RawClient } from './helpers/raw-client';

/** The broker as a real child process, driven by a plain grpc-js client built from the .proto files. */
describe('broker over raw gRPC', () => {
  let broker: BrokerProcess;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startBroker({ config: { 'max-request-bytes': 2 * 1024 * 1024 } });
    client = new RawClient(broker.address);
  });

  afterAll(async () => {
    client?.close();
    await broker?.cleanup();
  });

  const values = (records: Buffer): string[] =>
    [...iterateBatches(records)].flatMap(({ position }) => decodeBatch(records, position).records.map((r) => r.value!.toString()));

  const batchOf = (...vals: string[]): Buffer => encodeBatch(vals.map((v) => ({ key: null, value: Buffer.from(v) })));

  it('creates, lists, describes, alters and deletes topics', async () => {
    const created = await client.call('Admin', 'CreateTopic', { name: 'admin-t', partitions: 3, configs: { 'retention.ms': '60000' } });
    expect(created.partitions).toHaveLength(3);
    expect(created.configs['retention.ms']).toBe('60000');
    expect(created.configs['flush.policy']).toBe('always');

    const listed = await client.call('Admin', 'ListTopics', {});
    expect(listed.topics).toContainEqual({ name: 'admin-t', partitions: 3 });

    const altered = await client.call('Admin', 'AlterTopicConfig', { name: 'admin-t', set: { 'segment.bytes': '1048576' }, reset: ['retention.ms'] });
    expect(altered.configs['segment.bytes']).toBe('1048576');
    expect(altered.configs['retention.ms']).toBe(String(7 * 24 * 3600 * 1000));

    expect((await client.failure('Admin', 'CreateTopic', { name: 'admin-t' })).code).toBe(grpc.status.ALREADY_EXISTS);
    await client.call('Admin', 'DeleteTopic', { name: 'admin-t' });
    expect((await client.failure('Admin', 'DescribeTopic', { name: 'admin-t' })).code).toBe(grpc.status.NOT_FOUND);

    const cluster = await client.call('Admin', 'DescribeCluster', {});
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.brokers[0]).toMatchObject({ id: expect.any(Number), host: '127.0.0.1', port: broker.port });
    expect(cluster.clusterId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('appends batches and decoded records, and fetches them back', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'produce-t', partitions: 2 });
    const first = await client.call('Log', 'Produce', { topic: 'produce-t', partition: 1, batch: batchOf('a', 'b') });
    expect(first).toMatchObject({ baseOffset: 0, lastOffset: 1 });
    const second = await client.call('Log', 'Produce', {
      topic: 'produce-t',
      partition: 1,
      records: [{ value: Buffer.from('c'), key: Buffer.from('k'), headers: [{ key: 'h', value: Buffer.from('x') }] }, { value: Buffer.from('d') }],
    });
    expect(second).toMatchObject({ baseOffset: 2, lastOffset: 3 });

    const fetched = await client.call('Log', 'Fetch', { topic: 'produce-t', partition: 1, offset: 0 });
    expect(values(fetched.records)).toEqual(['a', 'b', 'c', 'd']);
    expect(fetched).toMatchObject({ highWatermark: 4, logStartOffset: 0, nextOffset: 4 });
    const decoded = decodeBatch(fetched.records, [...iterateBatches(fetched.records)][1].position).records;
    expect(decoded[0].key!.toString()).toBe('k');
    expect(decoded[0].headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(decoded[1].key).toBeNull();

    const atEnd = await client.call('Log', 'Fetch', { topic: 'produce-t', partition: 1, offset: 4 });
    expect(atEnd.records).toHaveLength(0);
  });

  it('answers a long poll as soon as data arrives, and at max_wait_ms when none does', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'poll-t' });
    const started = Date.now();
    const empty = await client.call('Log', 'Fetch', { topic: 'poll-t', partition: 0, offset: 0, maxWaitMs: 300 });
    expect(empty.records).toHaveLength(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    const polling = client.call('Log', 'Fetch', { topic: 'poll-t', partition: 0, offset: 0, maxWaitMs: 20000 });
    const pollStarted = Date.now();
    await client.call('Log', 'Produce', { topic: 'poll-t', partition: 0, batch: batchOf('woken') });
    const answered = await polling;
    expect(values(answered.records)).toEqual(['woken']);
    expect(Date.now() - pollStarted).toBeLessThan(10000);
  });

  it('waits for min_bytes before answering', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'minbytes-t' });
    await client.call('Log', 'Produce', { topic: 'minbytes-t', partition: 0, batch: batchOf('1') });
    const small = batchOf('1').length;
    const polling = client.call('Log', 'Fetch', { topic: 'minbytes-t', partition: 0, offset: 0, maxWaitMs: 20000, minBytes: small * 2 });
    let answered = false;
    void polling.then(() => (answered = true));
    await client.call('Log', 'ListOffsets', { topic: 'minbytes-t', spec: 'LATEST' });
    expect(answered).toBe(false);
    await client.call('Log', 'Produce', { topic: 'minbytes-t', partition: 0, batch: batchOf('2') });
    expect(values((await polling).records)).toEqual(['1', '2']);
  });

  it('pushes new batches to a subscriber as they land', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'sub-t' });
    await client.call('Log', 'Produce', { topic: 'sub-t', partition: 0, batch: batchOf('old') });
    const stream = client.subscribe({ topic: 'sub-t', partition: 0, offset: 0 });
    const seen: string[] = [];
    stream.on('data', (m: Message) => seen.push(...values(m.records)));
    stream.on('error', () => undefined);
    await waitFor(() => seen.length === 1, 10000, 'history');
    await client.call('Log', 'Produce', { topic: 'sub-t', partition: 0, batch: batchOf('new1', 'new2') });
    await waitFor(() => seen.length === 3, 10000, 'live batch');
    expect(seen).toEqual(['old', 'new1', 'new2']);
    stream.cancel();
  });

  it('answers ProduceStream requests by correlation id, errors included', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'stream-t' });
    const stream = client.produceStream();
    const responses = new Map<number, Message>();
    stream.on('data', (m: Message) => responses.set(m.correlationId, m));
    stream.write({ correlationId: 7, topic: 'stream-t', partition: 0, batch: batchOf('x') });
    stream.write({ correlationId: 8, topic: 'missing', partition: 0, batch: batchOf('y') });
    stream.write({ correlationId: 9, topic: 'stream-t', partition: 0, batch: batchOf('z') });
    await waitFor(() => responses.size === 3, 10000, 'three responses');
    stream.end();
    expect(responses.get(7)).toMatchObject({ baseOffset: 0, error: null });
    expect(responses.get(8)!.error.code).toBe(grpc.status.NOT_FOUND);
    expect(responses.get(9)).toMatchObject({ baseOffset: 1, error: null });
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'offsets-t', partitions: 2 });
    const batch = encodeBatch([1000, 2000, 3000].map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp })));
    await client.call('Log', 'Produce', { topic: 'offsets-t', partition: 0, batch });
    const latest = await client.call('Log', 'ListOffsets', { topic: 'offsets-t', spec: 'LATEST' });
    expect(latest.partitions.map((p: Message) => p.offset)).toEqual([3, 0]);
    const earliest = await client.call('Log', 'ListOffsets', { topic: 'offsets-t', partitions: [0], spec: 'EARLIEST' });
    expect(earliest.partitions).toEqual([{ partition: 0, offset: 0, logStartOffset: 0, highWatermark: 3 }]);
    const byTime = await client.call('Log', 'ListOffsets', { topic: 'offsets-t', partitions: [0], spec: 'TIMESTAMP', timestamp: 1500 });
    expect(byTime.partitions[0].offset).toBe(1);
    const tooLate = await client.call('Log', 'ListOffsets', { topic: 'offsets-t', partitions: [0], spec: 'TIMESTAMP', timestamp: 9999 });
    expect(tooLate.partitions[0].offset).toBe(-1);
  });

  it('commits and fetches consumer-group offsets', async () => {
    await client.call('Admin', 'CreateTopic', { name: 'group-t', partitions: 2 });
    await client.call('Groups', 'CommitOffsets', { group: 'g', offsets: [{ topic: 'group-t', partition: 1, offset: 5, metadata: 'm' }] });
    const fetched = await client.call('Groups', 'FetchOffsets', { group: 'g' });
    expect(fetched.offsets).toEqual([expect.objectContaining({ topic: 'group-t', partition: 1, offset: 5, metadata: 'm' })]);
    expect((await client.call('Groups', 'ListGroups', {})).groups).toContainEqual({ group: 'g', state: 'Empty', protocolType: '' });
    const bad = await client.failure('Groups', 'CommitOffsets', { group: 'g', offsets: [{ topic: 'group-t', partition: 9, offset: 1 }] });
    expect(bad.code).toBe(grpc.status.NOT_FOUND);
  });

  it('serves the standard health check', async () => {
    expect(await client.call('Health', 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect(await client.call('Health', 'Check', { service: 'gregor.v1.Log' })).toEqual({ status: 'SERVING' });
    expect((await client.failure('Health', 'Check', { service: 'nope' })).code).toBe(grpc.status.NOT_FOUND);
  });

  it('opens its HTTP/2 receive windows past the 64 KiB default on every connection', async () => {
    const session = http2.connect(`http://${broker.address}`);
    try {
      const opened = (): boolean =>
        session.remoteSettings?.initialWindowSize === FLOW_CONTROL_WINDOW_BYTES && session.state.remoteWindowSize === FLOW_CONTROL_WINDOW_BYTES;
      await waitFor(opened, 5000, 'the broker to advertise its stream and connection windows');
    } finally {
      session.destroy();
    }
  });

  describe('bad input gets a clear status', () => {
    beforeAll(() => client.call('Admin', 'CreateTopic', { name: 'bad-t', configs: { 'max.message.bytes': '4096' } }));

    it('unknown topic or partition: NOT_FOUND', async () => {
      const topic = await client.failure('Log', 'Fetch', { topic: 'nope', partition: 0, offset: 0 });
      expect(topic.code).toBe(grpc.status.NOT_FOUND);
      expect(topic.details).toContain('nope');
      const partition = await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 3, batch: batchOf('x') });
      expect(partition.code).toBe(grpc.status.NOT_FOUND);
    });

    it('offset out of range: OUT_OF_RANGE naming the log start and end', async () => {
      await client.call('Log', 'Produce', { topic: 'bad-t', partition: 0, batch: batchOf('a', 'b') });
      const err = await client.failure('Log', 'Fetch', { topic: 'bad-t', partition: 0, offset: 10 });
      expect(err.code).toBe(grpc.status.OUT_OF_RANGE);
      expect(err.details).toMatch(/log start offset 0.*end offset 2/);
      const sub = client.subscribe({ topic: 'bad-t', partition: 0, offset: 99 });
      sub.on('data', () => undefined);
      const subErr = await new Promise<grpc.ServiceError>((resolve) => sub.on('error', resolve));
      expect(subErr.code).toBe(grpc.status.OUT_OF_RANGE);
    });

    it('malformed batch, bad topic name, bad config: INVALID_ARGUMENT', async () => {
      const corrupt = batchOf('abc');
      corrupt[corrupt.length - 1] ^= 0xff;
      const codes = [
        (await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 0, batch: corrupt })).code,
        (await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 0, batch: Buffer.from('hello') })).code,
        (await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 0 })).code,
        (await client.failure('Admin', 'CreateTopic', { name: 'a/b' })).code,
        (await client.failure('Admin', 'CreateTopic', { name: 'cfg-t', configs: { 'retention.ms': 'soon' } })).code,
        (await client.failure('Admin', 'CreateTopic', { name: 'cfg-t', configs: { 'no.such.key': '1' } })).code,
        (await client.failure('Admin', 'AlterTopicConfig', { name: 'bad-t', set: { 'flush.policy': 'sometimes' } })).code,
        (await client.failure('Log', 'ListOffsets', { topic: 'bad-t' })).code,
      ];
      expect(codes).toEqual(Array(codes.length).fill(grpc.status.INVALID_ARGUMENT));
      expect((await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 0, batch: corrupt })).details).toMatch(/CRC|CORRUPT/i);
      expect((await client.call('Admin', 'ListTopics', {})).topics.map((t: Message) => t.name)).not.toContain('cfg-t');
    });

    it('too large: RESOURCE_EXHAUSTED', async () => {
      const overTopicLimit = batchOf('x'.repeat(5000));
      const topicLimit = await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 0, batch: overTopicLimit });
      expect(topicLimit.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(topicLimit.details).toContain('max.message.bytes');
      const overRequestLimit = Buffer.alloc(3 * 1024 * 1024);
      expect((await client.failure('Log', 'Produce', { topic: 'bad-t', partition: 0, batch: overRequestLimit })).code).toBe(
        grpc.status.RESOURCE_EXHAUSTED,
      );
      const fetched = await client.call('Log', 'Fetch', { topic: 'bad-t', partition: 0, offset: 0 });
      expect(values(fetched.records)).toEqual(['a', 'b']);
    });
  });
});
