import * as grpc from '@grpc/grpc-js';
import { LocalCluster, startCluster, waitFor } from '@gregor/testkit';
import { Message, RawClient, RawClients } from './helpers/raw-client';

/**
 * A group commit whose entry reached the followers but was never acknowledged to the leader
 * commits only under the next leader's first entry: offsets read from that leader must have it.
 */
describe('committed offsets across a coordinator change', () => {
  let cluster: LocalCluster;
  const clients = new RawClients((id) => cluster.address(id));
  const client = (id: number): RawClient => clients.get(id);
  const offsetsStatus = async (from: number): Promise<Message | undefined> =>
    (await client(from).call('Admin', 'DescribeCluster', {})).partitions.find((p: Message) => p.topic === '__consumer_offsets');

  beforeAll(async () => {
    // Long election timeouts: a leader cut off from its followers' replies keeps leading (and they keep following) while the test looks.
    cluster = await startCluster({ brokers: 3, proxied: true, config: { 'offsets-topic-partitions': 1, 'election-ticks': 40 } });
    await waitFor(async () => {
      const { brokers } = await client(1).call('Admin', 'DescribeCluster', {});
      return brokers.length === 3 && brokers.every((b: Message) => b.alive);
    }, 30_000, 'three live brokers');
  });

  afterAll(async () => {
    clients.close();
    await cluster?.cleanup();
  });

  it('a new coordinator serves the commit its predecessor wrote but never saw committed', async () => {
    await client(1).call('Admin', 'CreateTopic', { name: 'grouped', partitions: 1, replicationFactor: 3 });
    const commit = (id: number, offset: number, timeoutMs?: number) =>
      client(id).call('Groups', 'CommitOffsets', { group: 'g', offsets: [{ topic: 'grouped', partition: 0, offset }] }, timeoutMs);
    await waitFor(async () => {
      try {
        return await commit(1, 7);
      } catch (err) {
        if ((err as grpc.ServiceError).code === grpc.status.UNAVAILABLE) return undefined;
        throw err;
      }
    }, 20_000, 'the first group commit');
    const before = await waitFor(async () => {
      const status = await offsetsStatus(1);
      // Led by its preferred replica, so no leadership transfer is under way.
      const settled = status?.leader && status.leader === status.replicas[0];
      return settled && status.replicaStates.every((r: Message) => r.logEndOffset === status.highWatermark) ? status : undefined;
    }, 30_000, 'every offsets replica holds the first commit');
    const leader: number = before.leader;
    const followers = cluster.ids.filter((id) => id !== leader);

    // The followers take the second commit's entry, but their acknowledgements are lost.
    for (const id of followers) cluster.oneWay(id, leader);
    const unanswered = commit(leader, 9, 60_000).catch(() => undefined);
    await waitFor(async () => {
      // Asked of a follower, which reports both followers' replicas (the leader's reply is lost).
      const states = (await offsetsStatus(followers[0]))!.replicaStates.filter((r: Message) => followers.includes(r.brokerId));
      return states.length === 2 && states.every((r: Message) => r.logEndOffset > before.highWatermark);
    }, 20_000, 'both followers hold the second commit');
    await cluster.kill(leader);
    // A slow link between the survivors holds the new leader's first entry uncommitted for a while, when a reader may come.
    for (const [a, b] of [followers, [...followers].reverse()]) cluster.proxy(a, b).setLatency(300);

    const first = await waitFor(async () => {
      for (const id of followers) {
        try {
          return (await client(id).call('Groups', 'FetchOffsets', { group: 'g' }, 5_000)).offsets as Message[];
        } catch {
          // Not the leader yet, or no leader: ask again.
        }
      }
      return undefined;
    }, 30_000, 'offsets served by the new leader', 5);
    expect(first.map((c) => c.offset)).toEqual([9]);
    cluster.healNetwork();
    await unanswered;
    // Its waits allow 100 s between them; a slow machine must fail one of them, which says where, not the test's clock.
  }, 120_000);
});
