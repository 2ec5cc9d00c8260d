import { BrokerProcess, startBroker, waitFor } from '@gregor/testkit';
import { Admin, Connection, Consumer, type ConsumerOptions, cooperativeStickyAssignor, Producer, type TopicPartition } from '@gregor/client';

const names = (tps: readonly TopicPartition[]): string[] => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort();

/** Group members (Consumer.subscribe) against a real broker's coordinator. */
describe('Consumer group membership', () => {
  let broker: BrokerProcess;
  let connection: Connection;
  let admin: Admin;
  const open: Consumer[] = [];

  beforeAll(async () => {
    broker = await startBroker({ config: { 'offsets-topic-partitions': 1 } });
    connection = new Connection({ address: broker.address });
    admin = new Admin({ connection });
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    connection?.close();
    await broker?.cleanup();
  });

  function member(options: ConsumerOptions): Consumer {
    const consumer = new Consumer({ connection, autoOffsetReset: 'earliest', heartbeatIntervalMs: 100, sessionTimeoutMs: 5000, ...options });
    open.push(consumer);
    return consumer;
  }

  /** Reads in the background; the values seen, by partition, until the consumer closes. */
  function drain(consumer: Consumer): { seen: Set<string>; done: Promise<void> } {
    const seen = new Set<string>();
    const done = (async () => {
      for await (const record of consumer) seen.add(`${record.partition}:${record.value?.toString()}`);
    })();
    return { seen, done };
  }

  async function produce(topic: string, from: number, count: number): Promise<void> {
    const producer = new Producer({ connection });
    await producer.send(topic, Array.from({ length: count }, (_, i) => ({ value: `v${from + i}`, partition: (from + i) % 4 })));
    await producer.close();
  }

  it('two members share the partitions, every record is read, and close commits what was read and hands the partitions over', async () => {
    await admin.createTopic('gc-share', { partitions: 4 });
    await produce('gc-share', 0, 40);
    const a = member({ groupId: 'gc-share' });
    const b = member({ groupId: 'gc-share' });
    const revokedFromA: string[][] = [];
    a.subscribe(['gc-share'], { onRevoked: (tps) => void revokedFromA.push(names(tps)) });
    const readA = drain(a);
    await waitFor(() => a.assignment().length === 4 && readA.seen.size === 40, 10000, 'a alone reads all 40 records');

    b.subscribe(['gc-share']);
    const readB = drain(b);
    await waitFor(() => a.assignment().length === 2 && b.assignment().length === 2, 15000, 'a and b share the partitions');
    expect([...names(a.assignment()), ...names(b.assignment())].sort()).toEqual(['gc-share-0', 'gc-share-1', 'gc-share-2', 'gc-share-3']);
    // Range is eager: a gave everything up before the second generation.
    expect(revokedFromA[0]).toEqual(['gc-share-0', 'gc-share-1', 'gc-share-2', 'gc-share-3']);

    await produce('gc-share', 40, 40);
    await waitFor(() => new Set([...readA.seen, ...readB.seen]).size === 80, 10000, 'all 80 records read between them');
    // b read only its own partitions' new records, not the 40 a committed before handing over.
    expect([...readB.seen].every((v) => Number(v.split(':v')[1]) >= 40)).toBe(true);

    await b.close();
    await readB.done;
    await waitFor(() => a.assignment().length === 4, 15000, 'a gets b\'s partitions back');
    await a.close();
    await readA.done;
    const committed = await admin.fetchOffsets('gc-share', 'gc-share');
    expect(committed.map((c) => [c.partition, c.offset]).sort()).toEqual([[0, 20], [1, 20], [2, 20], [3, 20]]);
  });

  it('cooperative-sticky: the first member keeps reading the partitions it keeps, and gives up only those that move', async () => {
    await admin.createTopic('gc-coop', { partitions: 4 });
    const options = { groupId: 'gc-coop', assignors: [cooperativeStickyAssignor] };
    const a = member(options);
    const b = member(options);
    const revokedFromA: string[][] = [];
    const lostFromA: string[][] = [];
    a.subscribe(['gc-coop'], { onRevoked: (tps) => void revokedFromA.push(names(tps)), onLost: (tps) => void lostFromA.push(names(tps)) });
    const readA = drain(a);
    await waitFor(() => a.assignment().length === 4, 10000, 'a owns every partition');

    b.subscribe(['gc-coop']);
    const readB = drain(b);
    await waitFor(() => a.assignment().length === 2 && b.assignment().length === 2, 15000, 'a and b share the partitions');
    const kept = names(a.assignment());
    expect(revokedFromA).toEqual([names(b.assignment())]);
    expect(lostFromA).toEqual([]);

    await produce('gc-coop', 0, 8);
    await waitFor(() => readA.seen.size + readB.seen.size === 8, 10000, 'all 8 records read');
    expect(names([...readA.seen].map((v) => ({ topic: 'gc-coop', partition: Number(v.split(':')[0]) })))).toEqual(expect.arrayContaining(kept));
  });

  it('the partitions of a member that dies without a word are read again within the session timeout and a second', async () => {
    await admin.createTopic('gc-killed', { partitions: 4 });
    const sessionTimeoutMs = 3000;
    // The survivor heartbeats at the default interval, which is what the one-second margin is for.
    const survivor = member({ groupId: 'gc-killed', sessionTimeoutMs, heartbeatIntervalMs: undefined });
    const doomed = new Consumer({ brokers: [broker.address], groupId: 'gc-killed', autoOffsetReset: 'earliest', sessionTimeoutMs });
    open.push(doomed);
    survivor.subscribe(['gc-killed']);
    doomed.subscribe(['gc-killed']);
    const read = drain(survivor);
    await waitFor(() => survivor.assignment().length === 2 && doomed.assignment().length === 2, 15000, 'both members have two partitions');
    const orphaned = doomed.assignment().map((tp) => tp.partition);

    // As good as SIGKILL: no more heartbeats, commits or LeaveGroup from it.
    doomed.cluster.close();
    const killedAt = Date.now();
    await produce('gc-killed', 0, 4);
    await waitFor(() => orphaned.every((p) => read.seen.has(`${p}:v${p}`)), sessionTimeoutMs + 5000, 'the orphaned partitions\' records');
    expect(Date.now() - killedAt).toBeLessThan(sessionTimeoutMs + 1000);
  });

  it('a static member that restarts within the session timeout gets its partitions back without a rebalance', async () => {
    await admin.createTopic('gc-static', { partitions: 4 });
    const dynamicMember = member({ groupId: 'gc-static' });
    const assignedToDynamic: string[][] = [];
    dynamicMember.subscribe(['gc-static'], { onAssigned: (tps) => void assignedToDynamic.push(names(tps)) });
    const first = member({ groupId: 'gc-static', groupInstanceId: 'static-1' });
    first.subscribe(['gc-static']);
    await waitFor(() => assignedToDynamic.at(-1)?.length === 2 && first.assignment().length === 2, 15000, 'both members have two partitions');
    const staticPartitions = names(first.assignment());
    const rounds = assignedToDynamic.length;

    await first.close();
    const restarted = member({ groupId: 'gc-static', groupInstanceId: 'static-1' });
    restarted.subscribe(['gc-static']);
    await waitFor(() => restarted.assignment().length === 2, 5000, 'the restarted member has its partitions');

    expect(names(restarted.assignment())).toEqual(staticPartitions);
    expect(assignedToDynamic).toHaveLength(rounds);
    expect(dynamicMember.assignment()).toHaveLength(2);
  });
});
