import { testSeed } from '@gregor/testkit';
import { encodeBatch } from '@gregor/records';
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
});
