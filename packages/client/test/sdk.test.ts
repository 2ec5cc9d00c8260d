import { CompressionType, decodeBatch, iterateBatches, partitionForKey } from '@gregor/records';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { Admin, Connection, Consumer, ConsumerRecord, GregorError, Producer } from '@gregor/client';

/** The SDK against a real broker process. */
describe('client SDK', () => {
  let broker: BrokerProcess;
  let connection: Connection;
  let admin: Admin;

  beforeAll(async () => {
    broker = await startBroker();
    connection = new Connection({ address: broker.address });
    admin = new Admin({ connection });
  });

  afterAll(async () => {
    connection?.close();
    await broker?.cleanup();
  });

  /** Raw batches of a partition, for checking how the producer batched. */
  async function batchesOf(topic: string, partition: number) {
    const response = await connection.unary<object, { records: Buffer }>('Log', 'Fetch', { topic, partition, offset: 0, maxBytes: 1 << 24 });
    return [...iterateBatches(response.records)].map(({ position }) => decodeBatch(response.records, position));
  }

  async function take(consumer: Consumer, n: number): Promise<ConsumerRecord[]> {
    const records: ConsumerRecord[] = [];
    if (n === 0) return records;
    for await (const record of consumer) {
      records.push(record);
      if (records.length === n) break;
    }
    return records;
  }

  it('sends records and resolves each to its partition and offset', async () => {
    await admin.createTopic('send-t', { partitions: 4 });
    const producer = new Producer({ connection });
    const one = await producer.send('send-t', { key: 'k1', value: 'v1' });
    expect(one).toMatchObject({ topic: 'send-t', partition: partitionForKey(Buffer.from('k1'), 4), offset: 0 });
    const many = await producer.send('send-t', [
      { key: 'k1', value: 'a' },
      { key: 'k1', value: 'b' },
      { value: 'to-2', partition: 2 },
    ]);
    expect(many.map((r) => [r.partition, r.offset])).toEqual([
      [one.partition, 1],
      [one.partition, 2],
      [2, one.partition === 2 ? 3 : 0],
    ]);
    await expect(producer.send('send-t', { value: 'x', partition: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(producer.send('no-such-topic', { value: 'x' })).rejects.toBeInstanceOf(GregorError);
    await producer.close();
  });

  it('batches per partition by linger time and batch bytes, sticky for null keys', async () => {
    await admin.createTopic('batch-t', { partitions: 3 });
    const lingering = new Producer({ connection, lingerMs: 50 });
    const sends = Array.from({ length: 100 }, (_, i) => lingering.send('batch-t', { value: `r${i}` }));
    const results = await Promise.all(sends);
    const partition = results[0].partition;
    expect(results.every((r) => r.partition === partition)).toBe(true);
    expect(results.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect((await batchesOf('batch-t', partition)).map((b) => b.records.length)).toEqual([100]);

    const small = new Producer({ connection, lingerMs: 1000, batchBytes: 400 });
    const keyed = await small.send('batch-t', Array.from({ length: 20 }, (_, i) => ({ key: 'same', value: `value-${i}`.padEnd(40, '.') })));
    const keyedPartition = partitionForKey(Buffer.from('same'), 3);
    expect(new Set(keyed.map((r) => r.partition))).toEqual(new Set([keyedPartition]));
    const keyedBatches = (await batchesOf('batch-t', keyedPartition)).filter((b) => b.records[0].key?.toString() === 'same');
    expect(keyedBatches.length).toBeGreaterThan(3);
    for (const b of keyedBatches) expect(b.records.length).toBeLessThanOrEqual(6);
    await lingering.close();
    await small.close();
  });

  it('starts a partition with a small batch and doubles it up to batchBytes; a larger record goes alone', async () => {
    await admin.createTopic('grow-t');
    const producer = new Producer({ connection, lingerMs: 60000, batchBytes: 64 * 1024 });
    const value = Buffer.alloc(1000, 1);
    const sending = producer.send('grow-t', [
      ...Array.from({ length: 300 }, () => ({ value })),
      { value: Buffer.alloc(100 * 1024, 2) },
      { value },
    ]);
    await producer.flush();
    const sent = await sending;
    expect(sent.map((r) => r.offset)).toEqual(Array.from({ length: 302 }, (_, i) => i));
    const counts = (await batchesOf('grow-t', 0)).map((b) => b.records.length);
    // 16, 32, then 64 KiB of ~1 KiB records; the 100 KiB record seals the rest and goes alone; then the last record.
    expect(counts).toEqual([16, 32, 64, 64, 64, 60, 1, 1]);
    await expect(producer.send('grow-t', { value: 'x', timestamp: 1.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await producer.close();
  });

  it('holds records until linger passes or flush() is called', async () => {
    await admin.createTopic('flush-t');
    const producer = new Producer({ connection, lingerMs: 60000 });
    let done = false;
    const sending = producer.send('flush-t', { value: 'waits' }).then((r) => ((done = true), r));
    await admin.listTopics();
    expect(done).toBe(false);
    await producer.flush();
    expect((await sending).offset).toBe(0);
    await producer.close();
  });

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ] as const)('compresses batches with %s and the consumer reads them back', async (name, type) => {
    const topic = `${name}-t`;
    await admin.createTopic(topic);
    const producer = new Producer({ connection, compression: name });
    const value = 'compressible '.repeat(100);
    await producer.send(topic, [{ value }, { value, headers: { h: 'x' } }]);
    const [batch] = await batchesOf(topic, 0);
    expect(batch.compression).toBe(type);
    const consumer = new Consumer({ connection, autoOffsetReset: 'earliest' });
    await consumer.assignTopic(topic);
    const records = await take(consumer, 2);
    expect(records.map((r) => r.value!.toString())).toEqual([value, value]);
    expect(records[1].headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    consumer.close();
    await producer.close();
  });

  it('refuses a compression codec Kafka does not have', () => {
    expect(() => new Producer({ connection, compression: 'brotli' as 'gzip' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('seeks to earliest, latest, an offset and a timestamp', async () => {
    await admin.createTopic('seek-t');
    const producer = new Producer({ connection });
    await producer.send('seek-t', [1000, 2000, 3000, 4000].map((timestamp, i) => ({ value: `v${i}`, timestamp })));
    const consumer = new Consumer({ connection });
    const tp = { topic: 'seek-t', partition: 0 };
    await consumer.assign([tp]);
    expect(consumer.position(tp)).toBe(4);

    await consumer.seek(tp, 'earliest');
    expect((await take(consumer, 2)).map((r) => r.offset)).toEqual([0, 1]);
    await consumer.seek(tp, 2);
    expect((await take(consumer, 1))[0].value!.toString()).toBe('v2');
    await consumer.seekToTimestamp(1500);
    expect((await take(consumer, 1))[0].offset).toBe(1);
    await consumer.seekToTimestamp(99999);
    expect(consumer.position(tp)).toBe(4);
    await consumer.seekToEnd();
    const live = take(consumer, 1);
    await producer.send('seek-t', { value: 'live' });
    expect((await live)[0]).toMatchObject({ offset: 4, topic: 'seek-t', partition: 0 });
    consumer.close();
    await producer.close();
  });

  it('assigns partitions at a given start where the group has no committed offset, at the committed one where it has', async () => {
    await admin.createTopic('start-t', { partitions: 2 });
    const producer = new Producer({ connection });
    await producer.send('start-t', Array.from({ length: 6 }, (_, i) => ({ value: `s${i}`, partition: i % 2 })));
    await admin.commitOffsets('starters', [{ topic: 'start-t', partition: 1, offset: 2 }]);
    const consumer = new Consumer({ connection, groupId: 'starters', autoOffsetReset: 'latest' });
    const [p0, p1] = [0, 1].map((partition) => ({ topic: 'start-t', partition }));
    await consumer.assign([p0, p1], 'earliest');
    expect([consumer.position(p0), consumer.position(p1)]).toEqual([0, 2]);
    const alone = new Consumer({ connection });
    await alone.assign([p0], 1);
    expect((await take(alone, 2)).map((r) => r.value!.toString())).toEqual(['s2', 's4']);
    consumer.close();
    alone.close();
    await producer.close();
  });

  it('assigns a partition again after its first assignment failed', async () => {
    const consumer = new Consumer({ connection, autoOffsetReset: 'earliest' });
    const tp = { topic: 'late-t', partition: 0 };
    await expect(consumer.assign([tp])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(consumer.assignment()).toEqual([]);
    await admin.createTopic('late-t');
    const producer = new Producer({ connection });
    await producer.send('late-t', { value: 'first' });
    await consumer.assign([tp]);
    expect((await take(consumer, 1))[0].value!.toString()).toBe('first');
    consumer.close();
    await producer.close();
  });

  it('hands out records in arrays with batches(), moving the position past each array', async () => {
    await admin.createTopic('arrays-t');
    const producer = new Producer({ connection });
    await producer.send('arrays-t', Array.from({ length: 50 }, (_, i) => ({ value: `a${i}` })));
    await producer.send('arrays-t', Array.from({ length: 50 }, (_, i) => ({ value: `b${i}` })));
    const consumer = new Consumer({ connection, autoOffsetReset: 'earliest' });
    await consumer.assignTopic('arrays-t');
    const seen: string[] = [];
    for await (const records of consumer.batches()) {
      seen.push(...records.map((r) => r.value!.toString()));
      expect(consumer.position({ topic: 'arrays-t', partition: 0 })).toBe(records[records.length - 1].offset + 1);
      if (seen.length === 100) break;
    }
    expect(seen).toEqual([...Array.from({ length: 50 }, (_, i) => `a${i}`), ...Array.from({ length: 50 }, (_, i) => `b${i}`)]);
    consumer.close();
    await producer.close();
  });

  it('commits offsets for a group and a new consumer resumes from them', async () => {
    await admin.createTopic('group-t', { partitions: 2 });
    const producer = new Producer({ connection });
    await producer.send('group-t', Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })));
    const first = new Consumer({ connection, groupId: 'readers', autoOffsetReset: 'earliest' });
    await first.assignTopic('group-t');
    const read = await take(first, 6);
    await first.commit();
    first.close();

    const second = new Consumer({ connection, groupId: 'readers', autoOffsetReset: 'earliest' });
    await second.assignTopic('group-t');
    const rest = await take(second, 4);
    const seen = [...read, ...rest].map((r) => r.value!.toString()).sort();
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort());
    const committed = await second.committedOffsets(second.assignment());
    expect([...committed.values()].reduce((a, b) => a + b, 0)).toBe(6);
    second.close();
    await producer.close();
  });

  it('retries sends while the broker restarts', async () => {
    await admin.createTopic('retry-t');
    const producer = new Producer({ address: broker.address, retries: 50, retryBackoffMs: 50, retryBackoffMaxMs: 200 });
    await producer.send('retry-t', { value: 'before' });
    await broker.kill('SIGTERM');
    const during = producer.send('retry-t', { value: 'during' });
    await broker.start();
    expect((await during).offset).toBe(1);
    await producer.close();
    await waitFor(() => admin.health().catch(() => null), 10000, 'admin reconnect');
  });
});
