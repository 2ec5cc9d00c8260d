import * as grpc from '@grpc/grpc-js';
import { decodeBatch, encodeBatch, isControlBatch, iterateBatches } from '@gregor/records';
import { LocalCluster, startCluster, waitFor } from '@gregor/testkit';
import { Message, RawClient, RawClients } from './helpers/raw-client';

/** Three broker processes on loopback, driven over raw gRPC: placement, leader routing, failover, group offsets. */
describe('a three-broker cluster', () => {
  let cluster: LocalCluster;
  const clients = new RawClients((id) => cluster.address(id));
  const client = (id: number): RawClient => clients.get(id);
  const batchOf = (...values: string[]): Buffer => encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
  const values = (records: Buffer): string[] =>
    [...iterateBatches(records)]
      .filter(({ header }) => !isControlBatch(header.attributes))
      .flatMap(({ position }) => decodeBatch(records, position).records.map((r) => r.value!.toString()));

  /** The partition's leader as the live brokers' Raft groups report it. */
  async function leaderOf(topic: string, partition: number, from: number): Promise<number> {
    return waitFor(async () => {
      const described = await client(from).call('Admin', 'DescribeCluster', {});
      const status = described.partitions.find((p: Message) => p.topic === topic && p.partition === partition);
      return status?.leader && cluster.live().includes(status.leader) ? (status.leader as number) : undefined;
    }, 20_000, `a live leader of ${topic}-${partition}`);
  }

  /** Every broker registered and heartbeating, as broker `from` sees it: what a replication factor of 3 needs. */
  const allAlive = (from: number): Promise<unknown> =>
    waitFor(async () => {
      const { brokers } = await client(from).call('Admin', 'DescribeCluster', {});
      return brokers.length === 3 && brokers.every((b: Message) => b.alive);
    }, 30_000, 'three live brokers');

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3 });
    await allAlive(1);
  });

  afterAll(async () => {
    clients.close();
    await cluster?.cleanup();
  });

  it('places three replicas per partition, spreads leaders, and redirects requests to the leader', async () => {
    const created = await client(2).call('Admin', 'CreateTopic', { name: 'spread', partitions: 3, replicationFactor: 3 });
    expect(created.partitions.map((p: Message) => [...p.replicas].sort())).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    // Each partition ends up led by its preferred (first) replica, so leadership is spread.
    const leaders = await waitFor(async () => {
      const found = await Promise.all([0, 1, 2].map((p) => leaderOf('spread', p, 1)));
      return new Set(found).size === 3 ? found : undefined;
    }, 30_000, 'one leader per broker');
    expect(leaders).toEqual(created.partitions.map((p: Message) => p.replicas[0]));
    const follower = [1, 2, 3].find((id) => id !== leaders[0])!;
    const refused = await client(follower).failure('Log', 'Produce', { topic: 'spread', partition: 0, batch: batchOf('x') });
    expect(refused.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(refused.metadata.get('gregor-error')).toEqual(['NOT_LEADER']);
    expect(refused.metadata.get('gregor-leader-id')).toEqual([String(leaders[0])]);
    expect(refused.metadata.get('gregor-leader-address')).toEqual([cluster.address(leaders[0])]);

    // A follower's log may lag, so it must redirect a reader rather than judge the offset: an
    // OUT_OF_RANGE from it would send a consumer back to the earliest offset (chaos seed 2002).
    const subscription = client(follower).subscribe({ topic: 'spread', partition: 0, offset: 1_000_000 });
    const ended = await new Promise<grpc.ServiceError>((resolve) => subscription.on('error', resolve));
    expect(ended.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(ended.metadata.get('gregor-error')).toEqual(['NOT_LEADER']);
  });

  it('keeps every acknowledged batch through a SIGKILL of the partition leader', async () => {
    await allAlive(1);
    await client(1).call('Admin', 'CreateTopic', { name: 'failover', partitions: 1, replicationFactor: 3 });
    const leader = await leaderOf('failover', 0, 1);
    for (const v of ['a', 'b', 'c']) await client(leader).call('Log', 'Produce', { topic: 'failover', partition: 0, batch: batchOf(v) });
    await cluster.kill(leader);
    const survivor = [1, 2, 3].find((id) => id !== leader)!;
    const next = await leaderOf('failover', 0, survivor);
    expect(next).not.toBe(leader);
    await client(next).call('Log', 'Produce', { topic: 'failover', partition: 0, batch: batchOf('d') });
    const fetched = await client(next).call('Log', 'Fetch', { topic: 'failover', partition: 0, offset: 0, maxBytes: 1 << 20 });
    expect(values(fetched.records)).toEqual(['a', 'b', 'c', 'd']);
    await cluster.start(leader);
    await waitFor(async () => {
      const status = (await client(next).call('Admin', 'DescribeCluster', {})).partitions.find((p: Message) => p.topic === 'failover');
      return status.replicaStates.every((r: Message) => r.lag === 0 && r.logEndOffset === status.highWatermark);
    }, 20_000, 'the restarted replica caught up');
  });

  it('stores group offsets in __consumer_offsets, reachable from any broker and across a leader kill', async () => {
    await allAlive(3);
    await client(3).call('Admin', 'CreateTopic', { name: 'grouped', partitions: 2, replicationFactor: 3 });
    // The first commit creates __consumer_offsets; like any client, retry while its leaders are elected.
    await waitFor(async () => {
      try {
        return await client(1).call('Groups', 'CommitOffsets', { group: 'g1', offsets: [{ topic: 'grouped', partition: 1, offset: 7 }] });
      } catch (err) {
        if ((err as grpc.ServiceError).code === grpc.status.UNAVAILABLE) return undefined;
        throw err;
      }
    }, 20_000, 'the first group commit');
    for (const id of [1, 2, 3]) {
      const fetched = await client(id).call('Groups', 'FetchOffsets', { group: 'g1' });
      expect(fetched.offsets).toEqual([expect.objectContaining({ topic: 'grouped', partition: 1, offset: 7 })]);
    }
    const described = await client(1).call('Admin', 'DescribeTopic', { name: '__consumer_offsets' });
    expect(described.partitions[0].replicas).toHaveLength(3);
    const offsetsPartition = (await client(1).call('Admin', 'DescribeCluster', {})).partitions.find(
      (p: Message) => p.topic === '__consumer_offsets' && p.replicaStates.some((r: Message) => r.logEndOffset > 0),
    );
    await cluster.kill(offsetsPartition.leader);
    const survivor = [1, 2, 3].find((id) => id !== offsetsPartition.leader)!;
    const after = await waitFor(async () => {
      try {
        return (await client(survivor).call('Groups', 'FetchOffsets', { group: 'g1' })).offsets;
      } catch {
        return undefined;
      }
    }, 20_000, 'offsets served by the new leader');
    expect(after).toEqual([expect.objectContaining({ topic: 'grouped', partition: 1, offset: 7 })]);
    await cluster.start(offsetsPartition.leader);
  });
});
