import { testSeed } from '@gregor/testkit';
import { OffsetsPartition } from '../../src/groups/offsets-partition';
import { PartitionReplica } from '../../src/partition-replica';
import { ReplicaCluster } from '../replication/harness';

const TOPIC_ID = 'topic-id-of-t';
const commitOf = (offset: number) => [{ topic: 't', partition: 0, offset, metadata: '', commitTime: 0 }];

/** Each replica of the harness behind a PartitionReplica, with the OffsetsPartition a coordinator would serve from it. */
function offsetsPartitions(cluster: ReplicaCluster): Map<number, OffsetsPartition> {
  const partitions = new Map<number, OffsetsPartition>();
  const hwListeners = new Map<number, (hw: number) => void>();
  cluster.onHighWatermark = (id, hw) => hwListeners.get(id)?.(hw);
  for (const id of cluster.ids) {
    const replica = new PartitionReplica('__consumer_offsets', 0, cluster.logs.get(id)!, (onHighWatermark) => {
      hwListeners.set(id, onHighWatermark);
      onHighWatermark(cluster.highWatermarks.get(id) ?? 0);
      return cluster.replicas.get(id)!;
    });
    partitions.set(id, new OffsetsPartition(replica));
  }
  return partitions;
}

describe('OffsetsPartition', () => {
  let cluster: ReplicaCluster;
  afterEach(async () => cluster.close());

  it('a new leader serves a commit its predecessor acknowledged but never told it was committed', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('offsets new leader'));
    await cluster.start();
    const offsets = offsetsPartitions(cluster);
    const oldLeader = await cluster.until(() => cluster.ids.find((id) => cluster.replicas.get(id)!.isLeader), 'a leader');
    const followers = cluster.ids.filter((id) => id !== oldLeader);
    await cluster.outcome(offsets.get(oldLeader)!.commit('g', commitOf(5), () => TOPIC_ID), 'the first commit');
    const known = cluster.highWatermarks.get(oldLeader)!;
    await cluster.until(() => followers.every((id) => cluster.highWatermarks.get(id) === known), 'followers learn the first commit');

    // The second commit reaches the followers, but no word that it committed does.
    cluster.drop = (m) => m.from === oldLeader && m.commit > known;
    await cluster.outcome(offsets.get(oldLeader)!.commit('g', commitOf(6), () => TOPIC_ID), 'the second commit');
    const end = cluster.logs.get(oldLeader)!.logEndOffset;
    await cluster.until(() => followers.every((id) => cluster.logs.get(id)!.logEndOffset === end), 'followers hold the second commit');
    expect(followers.map((id) => cluster.highWatermarks.get(id))).toEqual([known, known]);

    // The old leader dies; its successor's own first entry (the no-op) is held back while a read arrives.
    cluster.isolate(oldLeader);
    cluster.drop = (m) => m.type === 'append';
    const newLeader = await cluster.until(() => followers.find((id) => cluster.replicas.get(id)!.isLeader), 'a new leader');
    expect(cluster.highWatermarks.get(newLeader)).toBe(known);
    const fetched = offsets.get(newLeader)!.fetch('g', undefined, () => TOPIC_ID);
    cluster.drop = () => false;
    expect((await cluster.outcome(fetched, 'the read on the new leader')).map((c) => c.offset)).toEqual([6]);
    expect((await cluster.outcome(offsets.get(newLeader)!.fetch('g', 't', () => TOPIC_ID), 'a second read')).map((c) => c.offset)).toEqual([6]);
  });
});
