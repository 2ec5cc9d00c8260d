import { testSeed } from '@gregor/testkit';
import type { BatchInfo } from '@gregor/storage';
import { indexOfOffset } from '../../src/replication/raft-index';
import { ReplicaCluster, batchOf } from './harness';

class Crash extends Error {}

/** A batch of one record large enough that a few fill a test segment. */
const padded = (value: string): Buffer => batchOf(value.padEnd(200, '.'));

describe('retention cut off between recording the new log start and deleting segments', () => {
  let cluster: ReplicaCluster;

  afterEach(() => cluster.close());

  it('reopens to a Raft log starting at the point, still serving the batches below it, and sends a follower behind it the point', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('retention crash'), { segmentBytes: 1024 });
    await cluster.start();
    const before = cluster.replicas.get(1)!;
    before.campaign();
    await cluster.until(() => before.isLeader, 'broker 1 to lead');
    for (let i = 0; i < 5; i++) await cluster.append(before, padded(`before ${i}`));
    cluster.isolate(3);
    for (let i = 0; i < 30; i++) await cluster.append(before, padded(`while cut off ${i}`));
    const hw = before.highWatermark;

    let recorded: { start: number; last: BatchInfo } | null = null;
    cluster.logs.get(1)!.updateConfig({ retentionBytes: 0 });
    const retention = cluster.logs.get(1)!.applyRetention({
      below: hw,
      beforeDelete: (start, last) => {
        before.recordLogStart(start, last.term);
        recorded = { start, last };
        throw new Crash();
      },
    });
    await expect(retention).rejects.toThrow(Crash);
    const { start, last } = recorded!;
    expect(start).toBeGreaterThan(cluster.logs.get(3)!.logEndOffset);
    cluster.crashReplica(1);
    // Down long enough that broker 2 stops honouring its lease, so broker 1 can win again at once.
    await cluster.until(() => cluster.replicas.get(2)!.leaderId === 0, 'broker 2 to give up on broker 1');
    await cluster.startReplica(1);

    const reopened = cluster.replicas.get(1)!;
    const raftLog = reopened.node.raft.log;
    expect(cluster.logs.get(1)!.logStartOffset).toBe(0);
    expect(raftLog.firstIndex()).toBe(indexOfOffset(start));
    expect(raftLog.term(indexOfOffset(last.lastOffset))).toBe(last.term);
    // On disk still, but behind the point: Raft must take it as compacted, not as an entry to send.
    expect(cluster.logs.get(1)!.batchAt(last.baseOffset - 1)).not.toBeNull();
    expect(raftLog.term(indexOfOffset(last.baseOffset - 1))).toBeUndefined();
    // What a reader below the point gets is the committed log, as on a replica that deleted nothing.
    expect((await cluster.rawBytes(1, hw)).equals(await cluster.rawBytes(2, hw))).toBe(true);

    reopened.campaign();
    await cluster.until(() => reopened.isLeader, 'the reopened broker 1 to lead');
    cluster.heal();
    await cluster.until(
      () => cluster.logs.get(3)!.logStartOffset === start && cluster.highWatermarks.get(3) === reopened.highWatermark,
      "broker 3 to restart its log at broker 1's point and catch up",
    );
    expect(reopened.isLeader).toBe(true);
    expect(await cluster.values(3, hw)).toEqual(await cluster.values(2, hw).then((values) => values.slice(-(hw - start))));

    // The next retention pass deletes what the crash left, and the log starts at the point again.
    const log = cluster.logs.get(1)!;
    log.updateConfig({ retentionBytes: 0 });
    await log.applyRetention({ below: reopened.highWatermark, beforeDelete: (at, batch) => reopened.recordLogStart(at, batch.term) });
    expect(log.logStartOffset).toBeGreaterThanOrEqual(start);
    expect(indexOfOffset(log.logStartOffset)).toBe(raftLog.firstIndex());
  });
});
