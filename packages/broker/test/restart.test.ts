import * as grpc from '@grpc/grpc-js';
import { Admin, Consumer, ConsumerRecord, Producer } from '@gregor/client';
import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { RawClient } from './helpers/raw-client';

/**
 * Records of `topic` from the beginning until every position in `wanted` ("partition/offset") has
 * been seen, or `deadlineMs` passes. Offsets are not a record count: a restarted leader may add a
 * control batch that consumers skip.
 */
async function readUntilSeen(address: string, topic: string, wanted: Set<string>, deadlineMs = 20000): Promise<ConsumerRecord[]> {
  const consumer = new Consumer({ address, autoOffsetReset: 'earliest' });
  await consumer.assignTopic(topic);
  const records: ConsumerRecord[] = [];
  const missing = new Set(wanted);
  const deadline = setTimeout(() => consumer.close(), deadlineMs);
  if (missing.size > 0) {
    for await (const record of consumer) {
      records.push(record);
      missing.delete(`${record.partition}/${record.offset}`);
      if (missing.size === 0) break;
    }
  }
  clearTimeout(deadline);
  consumer.close();
  return records;
}

describe('broker restarts', () => {
  let broker: BrokerProcess;

  afterEach(async () => {
    await broker?.cleanup();
  });

  it('after SIGKILL keeps every acknowledged record and committed offset (flush=always)', async () => {
    broker = await startBroker();
    const admin = new Admin({ address: broker.address });
    await admin.createTopic('durable', { partitions: 3, configs: { 'flush.policy': 'always' } });
    await admin.commitOffsets('g1', [{ topic: 'durable', partition: 0, offset: 7 }, { topic: 'durable', partition: 2, offset: 3 }]);

    const producer = new Producer({ address: broker.address, lingerMs: 1, retries: 0, requestTimeoutMs: 5000 });
    const acked = new Map<string, string>();
    let sent = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (!killed) {
        const values = Array.from({ length: 20 }, () => `v${sent++}`);
        try {
          const results = await producer.send('durable', values.map((value) => ({ key: value, value })));
          results.forEach((r, i) => acked.set(`${r.partition}/${r.offset}`, values[i]));
        } catch {
          return; // the broker is gone
        }
      }
    };
    const senders = [sender(), sender(), sender()];
    await waitFor(() => acked.size >= 600, 20000, '600 acknowledged records');
    killed = true;
    const exit = await broker.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    await Promise.all(senders);
    await producer.close().catch(() => undefined);
    admin.close();

    await broker.start();
    const after = new Admin({ address: broker.address });
    const ends = await after.listOffsets('durable', 'latest');
    const total = ends.reduce((sum, p) => sum + p.highWatermark, 0);
    expect(total).toBeGreaterThanOrEqual(acked.size);
    const stored = new Map((await readUntilSeen(broker.address, 'durable', new Set(acked.keys()))).map((r) => [`${r.partition}/${r.offset}`, r.value!.toString()]));
    for (const [at, value] of acked) expect(stored.get(at)).toBe(value);
    const committed = await after.fetchOffsets('g1');
    expect(committed.map((c) => [c.partition, c.offset]).sort()).toEqual([
      [0, 7],
      [2, 3],
    ]);
    after.close();
  }, 60000);

  it('on SIGTERM answers in-flight long polls, flushes, exits 0, and restarts with the data', async () => {
    broker = await startBroker({ config: { 'shutdown-timeout-ms': 20000 } });
    const client = new RawClient(broker.address);
    // An acknowledgement waits for the timer's fsync (issue 11), so the timer is short.
    await client.call('Admin', 'CreateTopic', { name: 'graceful', configs: { 'flush.policy': 'interval', 'flush.interval.ms': '100' } });
    await client.call('Log', 'Produce', { topic: 'graceful', partition: 0, records: [{ value: Buffer.from('kept') }] });
    const polling = client.call('Log', 'Fetch', { topic: 'graceful', partition: 0, offset: 1, maxWaitMs: 30000 });
    const subscription = client.subscribe({ topic: 'graceful', partition: 0, offset: 1 });
    const subscriptionEnded = new Promise<void>((resolve) => {
      subscription.on('data', () => undefined);
      subscription.on('end', resolve);
      subscription.on('error', () => resolve());
    });
    await waitFor(() => client.call('Health', 'Check', {}), 5000, 'health');

    const started = Date.now();
    const exit = await broker.kill('SIGTERM');
    expect(exit.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15000);
    expect((await polling).records).toHaveLength(0);
    await subscriptionEnded;
    expect(broker.logs.map((l) => l.event)).toEqual(expect.arrayContaining(['broker.stopping', 'broker.stopped']));
    expect(broker.logs.find((l) => l.event === 'broker.started')).toMatchObject({ heapGrowingPercent: 300, logPreallocateBytes: 64 * 1024 * 1024 });
    client.close();

    await broker.start();
    const again = new RawClient(broker.address);
    const fetched = await again.call('Log', 'Fetch', { topic: 'graceful', partition: 0, offset: 0 });
    expect(fetched.highWatermark).toBe(1);
    const refused = await again.failure('Log', 'Fetch', { topic: 'graceful', partition: 0, offset: 5 });
    expect(refused.code).toBe(grpc.status.OUT_OF_RANGE);
    again.close();
  }, 60000);
});
