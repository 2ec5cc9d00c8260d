import { testSeed } from '@gregor/testkit';
import { DEFAULT_GROUP_LIMITS } from '../../src/groups/group-coordinator';
import { GroupsPartition } from '../../src/groups/groups-partition';
import { silentLogger } from '../../src/logger';
import { PartitionReplica } from '../../src/partition-replica';
import { ReplicaCluster } from '../replication/harness';

const TOPIC_ID = 'topic-id-of-t';
const OUTSIDE_MEMBERSHIP = { generation: -1, memberId: '', groupInstanceId: '' };
const commitOf = (offset: number) => [{ topic: 't', partition: 0, offset, metadata: '', commitTime: 0 }];

/** Each replica of the harness behind a PartitionReplica, with the GroupsPartition a coordinator would serve from it. */
function offsetsPartitions(cluster: ReplicaCluster): Map<number, GroupsPartition> {
  const partitions = new Map<number, GroupsPartition>();
  const hwListeners = new Map<number, (hw: number) => void>();
  cluster.onHighWatermark = (id, hw) => hwListeners.get(id)?.(hw);
  for (const id of cluster.ids) {
    const replica = new PartitionReplica('__consumer_offsets', 0, cluster.logs.get(id)!, (onHighWatermark) => {
      hwListeners.set(id, onHighWatermark);
      onHighWatermark(cluster.highWatermarks.get(id) ?? 0);
      return cluster.replicas.get(id)!;
    });
    partitions.set(
      id,
      new GroupsPartition(replica, 0, {
        logger: silentLogger,
        limits: DEFAULT_GROUP_LIMITS,
        now: () => Date.now(),
        partitionCountOf: () => 1,
        topicIdOf: () => TOPIC_ID,
      }),
    );
  }
  return partitions;
}

describe('GroupsPartition', () => {
  let cluster: ReplicaCluster;
  afterEach(async () => cluster.close());

  it('a new leader serves a commit its predecessor acknowledged but never told it was committed', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('offsets new leader'));
    await cluster.start();
    const offsets = offsetsPartitions(cluster);
    const oldLeader = await cluster.until(() => cluster.ids.find((id) => cluster.replicas.get(id)!.isLeader), 'a leader');
    const followers = cluster.ids.filter((id) => id !== oldLeader);
    await cluster.outcome(offsets.get(oldLeader)!.commit('g', OUTSIDE_MEMBERSHIP, commitOf(5)), 'the first commit');
    const known = cluster.highWatermarks.get(oldLeader)!;
    await cluster.until(() => followers.every((id) => cluster.highWatermarks.get(id) === known), 'followers learn the first commit');

    // The second commit reaches the followers, but no word that it committed does.
    cluster.drop = (m) => m.from === oldLeader && m.commit > known;
    await cluster.outcome(offsets.get(oldLeader)!.commit('g', OUTSIDE_MEMBERSHIP, commitOf(6)), 'the second commit');
    const end = cluster.logs.get(oldLeader)!.logEndOffset;
    await cluster.until(() => followers.every((id) => cluster.logs.get(id)!.logEndOffset === end), 'followers hold the second commit');
    expect(followers.map((id) => cluster.highWatermarks.get(id))).toEqual([known, known]);

    // The old leader dies; its successor's own first entry (the no-op) is held back while a read arrives.
    cluster.isolate(oldLeader);
    cluster.drop = (m) => m.type === 'append';
    const newLeader = await cluster.until(() => followers.find((id) => cluster.replicas.get(id)!.isLeader), 'a new leader');
    expect(cluster.highWatermarks.get(newLeader)).toBe(known);
    const fetched = offsets.get(newLeader)!.fetch('g', undefined);
    cluster.drop = () => false;
    expect((await cluster.outcome(fetched, 'the read on the new leader')).map((c) => c.offset)).toEqual([6]);
    expect((await cluster.outcome(offsets.get(newLeader)!.fetch('g', 't'), 'a second read')).map((c) => c.offset)).toEqual([6]);
  });
});
