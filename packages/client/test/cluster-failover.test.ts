import { LocalCluster, startCluster, waitFor } from '@gregor/testkit';
import { Admin, Consumer, Producer, RecordMetadata } from '@gregor/client';

const TOPIC = 'failover';
const PARTITIONS = 2;

/** The SDK against three broker processes while a partition leader is SIGKILLed and restarted. */
describe('client against a 3-broker cluster', () => {
  let cluster: LocalCluster;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: { 'raft-tick-ms': 50, 'broker-heartbeat-ms': 200 } });
    admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 10000 });
    await waitFor(() => admin.createTopic(TOPIC, { partitions: PARTITIONS, replicationFactor: 3 }).catch(() => null), 30000, 'topic created');
    await waitFor(async () => (await leaders()).every((l) => l > 0) || null, 30000, 'partition leaders');
  }, 90000);

  afterAll(async () => {
    admin?.close();
    await cluster?.cleanup();
  });

  async function leaders(): Promise<number[]> {
    const state = await admin.describeCluster();
    return Array.from({ length: PARTITIONS }, (_, p) => state.partitions.find((s) => s.topic === TOPIC && s.partition === p)?.leader ?? 0);
  }

  /** Every record of the topic up to each partition's high watermark, by partition: offset -> value. */
  async function readAll(): Promise<Map<number, Map<number, string>>> {
    const ends = await admin.listOffsets(TOPIC, 'latest');
    const consumer = new Consumer({ brokers: cluster.bootstrap, autoOffsetReset: 'earliest' });
    await consumer.assignTopic(TOPIC);
    const read = new Map<number, Map<number, string>>(ends.map((e) => [e.partition, new Map()]));
    const done = (): boolean => ends.every((e) => consumer.position({ topic: TOPIC, partition: e.partition }) >= e.highWatermark);
    if (!done()) {
      for await (const records of consumer.batches()) {
        for (const r of records) read.get(r.partition)!.set(r.offset, r.value!.toString());
        if (done()) break;
      }
    }
    consumer.close();
    return read;
  }

  it('follows a NOT_LEADER redirect straight to the leader the broker names', async () => {
    const [leader] = await leaders();
    const other = cluster.ids.find((id) => id !== leader)!;
    const producer = new Producer({ brokers: cluster.bootstrap, retryBackoffMs: 60000, retryBackoffMaxMs: 60000 });
    try {
      await producer.cluster.refreshTopic(TOPIC);
      await producer.cluster.refreshBrokers();
      // A stale cache: partition 0 led by a broker that is only a follower.
      producer.cluster.metadata.redirect(TOPIC, 0, other, cluster.address(other));
      const started = Date.now();
      const sent = await producer.send(TOPIC, { value: 'redirected', partition: 0 });
      // A backoff of a minute would show: the redirect is followed at once.
      expect(Date.now() - started).toBeLessThan(10000);
      expect(sent.partition).toBe(0);
      expect(producer.cluster.metadata.route(TOPIC, 0)!.leader).toBe(leader);
      const [offset] = await admin.listOffsets(TOPIC, 'latest', [0]);
      expect(offset.highWatermark).toBe(sent.offset + 1);
    } finally {
      await producer.close();
    }
  }, 60000);

  it('sends that resolve across a leader SIGKILL and restart are in the log exactly once, and a live consumer follows the new leader', async () => {
    const producer = new Producer({ brokers: cluster.bootstrap, lingerMs: 2, requestTimeoutMs: 5000, retryBackoffMaxMs: 500 });
    expect(await producer.idempotent()).toBe(true);
    const live = new Consumer({ brokers: cluster.bootstrap, autoOffsetReset: 'earliest', retryBackoffMaxMs: 500 });
    await live.assignTopic(TOPIC);
    const seenLive = new Map<number, Map<number, string>>([[0, new Map()], [1, new Map()]]);
    const liveReading = (async () => {
      for await (const records of live.batches()) for (const r of records) seenLive.get(r.partition)!.set(r.offset, r.value!.toString());
    })();

    const run = { producing: true };
    try {
      await produceThroughFailover(producer, seenLive, run);
    } finally {
      run.producing = false;
      live.close();
      await liveReading;
      await producer.close();
    }
  }, 240000);

  async function produceThroughFailover(producer: Producer, seenLive: Map<number, Map<number, string>>, run: { producing: boolean }): Promise<void> {
    const acked: Array<RecordMetadata & { value: string }> = [];
    const values: string[] = [];
    const failures: string[] = [];
    const inFlight = new Set<Promise<void>>();
    const sending = (async () => {
      for (let i = 0; run.producing; i++) {
        const value = `v${i}`;
        values.push(value);
        const send = producer.send(TOPIC, { key: `k${i % 17}`, value }).then(
          (r) => void acked.push({ ...r, value }),
          (err: Error) => void failures.push(`${value}: ${err.message}`),
        ).finally(() => inFlight.delete(send));
        inFlight.add(send);
        // Yield to timers too: sends that fail at once would otherwise spin here on microtasks alone.
        if (inFlight.size >= 20) await Promise.race(inFlight).then(() => new Promise((resolve) => setImmediate(resolve)));
      }
      await Promise.all(inFlight);
    })();

    const ackedAtLeast = (count: number, what: string): Promise<unknown> =>
      waitFor(() => acked.length >= count || null, 60000, what).catch(async (err: Error) => {
        const views = await Promise.all(cluster.live().map(async (id) => {
          const one = new Admin({ address: cluster.address(id), requestTimeoutMs: 3000 });
          const d = await one.describeTopic(TOPIC).then((t) => JSON.stringify(t.partitions.map((p) => [p.leader, p.highWatermark])), (e: Error) => e.message);
          one.close();
          return `broker ${id}: ${d}`;
        }));
        throw new Error(`${err.message}; ${acked.length} acknowledged, ${failures.length} failed: ${failures.slice(-2).join(' | ')}; client routes ${JSON.stringify([0, 1].map((p) => producer.cluster.metadata.route(TOPIC, p)))}; views ${views.join('; ')}`);
      });
    await ackedAtLeast(200, 'sends before the kill');
    const [victim] = await leaders();
    await cluster.kill(victim, 'SIGKILL');
    const atKill = acked.length;
    await ackedAtLeast(atKill + 300, 'sends to resolve after the leader was killed');
    const moved = await waitFor(async () => ((await leaders())[0] !== victim && (await leaders())[0] > 0 ? (await leaders())[0] : null), 30000, 'new leader');
    expect(moved).not.toBe(victim);
    await cluster.start(victim);
    const atRestart = acked.length;
    await ackedAtLeast(atRestart + 300, 'sends after the restart');
    run.producing = false;
    await sending;
    expect(failures.slice(0, 3)).toEqual([]);

    const log = await readAll();
    const counts = new Map<string, number>();
    for (const records of log.values()) for (const value of records.values()) counts.set(value, (counts.get(value) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
    expect(duplicated).toEqual([]);
    const misplaced = acked.filter((r) => log.get(r.partition)!.get(r.offset) !== r.value);
    expect(misplaced).toEqual([]);
    expect(acked.length).toBe(values.length);

    await waitFor(() => [...log].every(([p, records]) => seenLive.get(p)!.size >= records.size) || null, 30000, 'live consumer to catch up');
    for (const [p, records] of log) expect([...seenLive.get(p)!].filter(([o]) => records.has(o))).toEqual([...records]);
  }
});
