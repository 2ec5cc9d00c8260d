import { Ack, checkHistory, LocalCluster, readReplicaLogs, startCluster, waitFor } from '@gregor/testkit';
import { Admin, Producer } from '@gregor/client';

const TOPIC = 'elastic';
const PARTITIONS = 2;

/**
 * A cluster that grows and shrinks under acks=all load: a fourth broker joins, a partition moves
 * onto it, the first broker is decommissioned and stopped, and every acknowledged record is then
 * on the remaining replicas, byte for byte alike.
 */
describe('an elastic cluster', () => {
  let cluster: LocalCluster;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: { 'raft-tick-ms': 50, 'broker-heartbeat-ms': 200, 'preferred-leader-check-ms': 1000 } });
    admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 10000 });
    await waitFor(() => admin.createTopic(TOPIC, { partitions: PARTITIONS, replicationFactor: 3 }).catch(() => null), 30000, 'topic created');
  }, 90000);

  afterAll(async () => {
    admin?.close();
    await cluster?.cleanup();
  });

  async function broker(id: number) {
    return (await admin.describeCluster()).brokers.find((b) => b.id === id);
  }

  async function replicasOf(partition: number): Promise<number[]> {
    return (await admin.describeCluster()).partitions.find((p) => p.topic === TOPIC && p.partition === partition)!.replicas;
  }

  async function moving(): Promise<number> {
    return (await admin.listReassignments()).reassignments.length;
  }

  it('takes a joining broker, moves a partition onto it and decommissions a broker while producing, losing nothing acknowledged', async () => {
    const producer = new Producer({ brokers: cluster.bootstrap, lingerMs: 2, requestTimeoutMs: 5000, retryBackoffMaxMs: 300 });
    const acks: Ack[] = [];
    const run = { producing: true };
    const producing = (async () => {
      for (let i = 0; run.producing; i++) {
        const value = `v${i}`;
        const sent = await producer.send(TOPIC, { value, partition: i % PARTITIONS });
        acks.push({ partition: sent.partition, offset: sent.offset, value, producer: 0, sendIndex: i });
      }
    })();
    try {
      await waitFor(() => acks.length >= 200, 30000, 'records acknowledged before the join');

      await cluster.join(4);
      const joined = await waitFor(async () => ((await broker(4))?.alive ? broker(4) : null), 30000, 'broker 4 registered');
      expect(joined).toMatchObject({ state: 'alive', replicas: 0 });

      const before = await replicasOf(0);
      const target = before.map((id) => (id === 1 ? 4 : id));
      await admin.reassignPartitions([{ topic: TOPIC, partition: 0, replicas: target }]);
      await waitFor(async () => (await moving()) === 0, 60000, 'partition 0 moved to broker 4');
      expect(await replicasOf(0)).toEqual(target);

      await admin.decommissionBroker(1);
      await waitFor(async () => (await broker(1))?.state === 'removed', 60000, 'broker 1 removed');
      for (let p = 0; p < PARTITIONS; p++) expect(await replicasOf(p)).not.toContain(1);
      // Broker 1 was a controller: broker 4 took its vote, so the metadata log keeps three voters.
      await waitFor(async () => (await admin.describeCluster()).controllers.join(',') === '2,3,4', 30000, 'controllers 2,3,4');
      await cluster.kill(1, 'SIGTERM');
      // Broker 4 joined through broker 1, which is gone: it restarts from the metadata it keeps.
      await cluster.restart(4, 'SIGTERM');
      await waitFor(async () => ((await broker(4))?.alive ? true : null), 30000, 'broker 4 back');
      const afterStop = acks.length;
      await waitFor(() => acks.length >= afterStop + 100, 30000, 'records acknowledged after broker 1 stopped');
    } finally {
      run.producing = false;
      await producing.catch(() => undefined);
      await producer.close();
    }

    const highWatermarks = new Map((await admin.listOffsets(TOPIC, 'latest')).map((o) => [o.partition, o.highWatermark]));
    await cluster.stopAll();
    const remaining = new Map([2, 3, 4].map((id) => [id, cluster.dataDir(id)]));
    const replicas = await readReplicaLogs(remaining, TOPIC);
    expect(replicas.filter((r) => r.brokerId === 4).map((r) => r.partition)).toContain(0);
    const result = checkHistory({ partitions: PARTITIONS, acks, observations: [], replicas, highWatermarks, finalReads: new Map() });
    expect(result.problems).toEqual([]);
    expect({ lost: result.lost, duplicated: result.duplicated, divergent: result.divergent }).toEqual({ lost: 0, duplicated: 0, divergent: 0 });
    expect(result.acked).toBeGreaterThan(300);
  }, 240000);
});
