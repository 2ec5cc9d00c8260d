import * as fs from 'node:fs';
import * as path from 'node:path';
import { testSeed } from '@gregor/testkit';
import { encodeBatch } from '@gregor/records';
import type { AppendResult } from '@gregor/storage';
import { ReplicaCluster, batchOf } from './harness';

const produced = (sequence: number, ...values: string[]): Buffer =>
  encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })), { producerId: 42, producerEpoch: 0, baseSequence: sequence });

describe('ReplicatedPartition', () => {
  let cluster: ReplicaCluster;
  afterEach(async () => cluster.close());

  it('elects a leader whose acks=all appends commit on a majority with identical bytes everywhere', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication elect'));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    const first = await cluster.append(leader, batchOf('a', 'b', 'c'));
    const second = await cluster.append(leader, batchOf('d'));
    expect(second.baseOffset).toBe(first.lastOffset + 1);
    expect(first.lastOffset - first.baseOffset).toBe(2);
    const hw = second.lastOffset + 1;
    await cluster.until(() => [1, 2, 3].every((id) => (cluster.highWatermarks.get(id) ?? 0) >= hw), 'followers learn the commit');
    const reference = await cluster.rawBytes(1, hw);
    for (const id of [2, 3]) expect((await cluster.rawBytes(id, hw)).equals(reference)).toBe(true);
    expect(await cluster.values(2, hw)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a partitioned leader cannot commit; a new leader takes over and the old one converges to its log', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication failover'));
    await cluster.start();
    const oldLeader = await cluster.until(() => cluster.leader(), 'a leader');
    await cluster.append(oldLeader, batchOf('committed'));
    const oldId = [...cluster.replicas.entries()].find(([, r]) => r === oldLeader)![0];
    cluster.isolate(oldId);
    const stranded = oldLeader.append(batchOf('stranded'), 'all', 1 << 20).then(
      () => 'acked',
      (err: { code: string }) => err.code,
    );
    const newLeader = await cluster.until(() => [...cluster.replicas.values()].find((r) => r.isLeader && r !== oldLeader), 'a new leader');
    const after = await cluster.append(newLeader, batchOf('after'));
    expect(['NOT_LEADER', 'LEADER_NOT_AVAILABLE']).toContain(await cluster.outcome(stranded, 'an answer to the stranded append'));
    cluster.heal();
    const hw = after.lastOffset + 1;
    await cluster.until(() => (cluster.highWatermarks.get(oldId) ?? 0) >= hw, 'old leader catches up');
    expect(await cluster.values(oldId, hw)).toEqual(['committed', 'after']);
    const newId = [...cluster.replicas.entries()].find(([, r]) => r === newLeader)![0];
    expect((await cluster.rawBytes(oldId, hw)).equals(await cluster.rawBytes(newId, hw))).toBe(true);
  });

  it('acks=leader answers once the leader holds the batch, before followers do', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication acks=leader'));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    const leaderId = [...cluster.replicas.entries()].find(([, r]) => r === leader)![0];
    cluster.isolate(leaderId);
    const result = await cluster.append(leader, batchOf('local'), 'leader');
    expect(cluster.highWatermarks.get(leaderId)!).toBeLessThanOrEqual(result.baseOffset);
  });

  it('a restarted replica keeps its term, vote and commit, and catches up', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication restart'));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    const written = await cluster.append(leader, batchOf('x', 'y'));
    const follower = [1, 2, 3].find((id) => cluster.replicas.get(id) !== leader)!;
    await cluster.until(() => (cluster.highWatermarks.get(follower) ?? 0) > written.lastOffset, 'follower commit');
    const termBefore = cluster.replicas.get(follower)!.node.status().term;
    await cluster.stopReplica(follower);
    cluster.highWatermarks.delete(follower);
    await cluster.startReplica(follower);
    expect(cluster.highWatermarks.get(follower)).toBe(written.lastOffset + 1);
    expect(cluster.replicas.get(follower)!.node.status().term).toBe(termBefore);
    const more = await cluster.append(await cluster.until(() => cluster.leader(), 'a leader'), batchOf('z'));
    await cluster.until(() => (cluster.highWatermarks.get(follower) ?? 0) > more.lastOffset, 'restarted follower catches up');
    expect(await cluster.values(follower, more.lastOffset + 1)).toEqual(['x', 'y', 'z']);
  });

  it("writes an idempotent producer's retried batch once, also after a leader change", async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication idempotence'));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    const first = await cluster.until(async () => {
      try {
        return await cluster.append(leader, produced(0, 'a', 'b'));
      } catch (err) {
        if ((err as { code: string }).code === 'LEADER_NOT_AVAILABLE') return undefined;
        throw err;
      }
    }, 'the leader takes idempotent writes');
    const retry = await cluster.append(leader, produced(0, 'a', 'b'));
    expect(retry).toMatchObject({ baseOffset: first.baseOffset, lastOffset: first.lastOffset });
    expect(() => leader.append(produced(5, 'gap'), 'all', 1 << 20)).toThrow(expect.objectContaining({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }));
    const second = await cluster.append(leader, produced(2, 'c'));

    const oldId = [...cluster.replicas.entries()].find(([, r]) => r === leader)![0];
    cluster.isolate(oldId);
    const successor = await cluster.until(() => [...cluster.replicas.values()].find((r) => r.isLeader && r !== leader), 'a new leader');
    const retried = await cluster.until(async () => {
      try {
        return await cluster.append(successor, produced(2, 'c'));
      } catch {
        return undefined;
      }
    }, 'the retry accepted by the new leader');
    expect(retried).toMatchObject({ baseOffset: second.baseOffset, lastOffset: second.lastOffset });
    const next = await cluster.append(successor, produced(3, 'd'));
    const successorId = [...cluster.replicas.entries()].find(([, r]) => r === successor)![0];
    expect(await cluster.values(successorId, next.lastOffset + 1)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers acks=leader, first try and retry alike, only once the leader has fsynced the batch', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication acks=leader durable'));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    await cluster.until(async () => {
      try {
        return await cluster.append(leader, produced(0, 'a'));
      } catch (err) {
        if ((err as { code: string }).code === 'LEADER_NOT_AVAILABLE') return undefined;
        throw err;
      }
    }, 'the leader takes idempotent writes');
    const leaderId = [...cluster.replicas.entries()].find(([, r]) => r === leader)![0];
    const log = cluster.logs.get(leaderId)!;
    cluster.isolate(leaderId);
    log.updateConfig({ flush: UNSYNCED });
    const settled: string[] = [];
    const first = leader.append(produced(1, 'b'), 'leader', 1 << 20).then((r) => (settled.push('first'), r));
    await cluster.until(() => log.logEndOffset > log.durableOffset || undefined, 'the batch written');
    const retry = leader.append(produced(1, 'b'), 'leader', 1 << 20).then((r) => (settled.push('retry'), r));
    await eventLoopTurns(20);
    expect(settled).toEqual([]);
    await log.flush();
    expect((await retry).baseOffset).toBe((await first).baseOffset);
  });

  it('a follower flushing on a timer acknowledges an append only once it has fsynced it', async () => {
    cluster = new ReplicaCluster([1, 2, 3], testSeed('replication follower fsync'));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    await cluster.append(leader, batchOf('warm'));
    const followers = [1, 2, 3].filter((id) => cluster.replicas.get(id) !== leader);
    for (const id of followers) cluster.logs.get(id)!.updateConfig({ flush: UNSYNCED });
    let committed = false;
    const written = leader.append(batchOf('x'), 'all', 1 << 20).then((r) => ((committed = true), r));
    const end = cluster.logs.get(followers[0])!.logEndOffset;
    await cluster.until(() => followers.every((id) => cluster.logs.get(id)!.logEndOffset > end) || undefined, 'followers wrote it');
    await eventLoopTurns(20);
    expect(committed).toBe(false);
    await cluster.logs.get(followers[0])!.flush();
    expect((await cluster.outcome(written, 'the append committed')).baseOffset).toBe(end);
  });

  /** A batch, a learner (4, never started) added, another batch; all committed. */
  async function addLearnerBetweenTwoBatches(name: string): Promise<{ leaderId: number; before: AppendResult; after: AppendResult }> {
    cluster = new ReplicaCluster([1, 2, 3], testSeed(name));
    await cluster.start();
    const leader = await cluster.until(() => cluster.leader(), 'a leader');
    const before = await cluster.append(leader, batchOf('before'));
    leader.node.proposeConfChange({ type: 'addLearner', nodeId: 4 });
    const after = await cluster.append(leader, batchOf('after'));
    const leaderId = [...cluster.replicas.entries()].find(([, r]) => r === leader)![0];
    return { leaderId, before, after };
  }

  /** Records a retention point on replica `id` and reads back the membership stored with it. */
  function retainFrom(id: number, logStart: number): unknown {
    cluster.replicas.get(id)!.recordLogStart(logStart, 1);
    return JSON.parse(fs.readFileSync(path.join(cluster.root, `broker-${id}`, 'raft-snapshot.json'), 'utf8')).config;
  }

  it('records at a retention point the membership in force there, not the current one', async () => {
    const { leaderId, before } = await addLearnerBetweenTwoBatches('replication retention membership');
    const leader = cluster.replicas.get(leaderId)!;
    await cluster.until(() => leader.node.status().config.learners.includes(4) || undefined, 'the learner added');
    expect(retainFrom(leaderId, before.lastOffset + 1)).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  it('after a restart still knows the membership in force at each retention point', async () => {
    const { leaderId, before, after } = await addLearnerBetweenTwoBatches('replication retention membership restart');
    const follower = [1, 2, 3].find((id) => id !== leaderId)!;
    await cluster.until(() => cluster.replicas.get(follower)!.node.status().config.learners.includes(4) || undefined, 'the learner added');
    await cluster.stopReplica(follower);
    await cluster.startReplica(follower);
    expect(cluster.replicas.get(follower)!.node.status().config.learners).toEqual([4]);
    expect(retainFrom(follower, before.lastOffset + 1)).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(retainFrom(follower, after.lastOffset + 1)).toEqual({ voters: [1, 2, 3], learners: [4] });
  });
});

/** Flushes only when asked: an hour's timer and a gigabyte's threshold never fire in a test. */
const UNSYNCED = { kind: 'interval', intervalMs: 3_600_000, intervalBytes: 1 << 30 } as const;

/** Lets replicas exchange whatever they have queued: a bounded number of turns, not a time. */
async function eventLoopTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}
