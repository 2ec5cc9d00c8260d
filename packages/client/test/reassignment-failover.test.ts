import { Ack, checkHistory, LocalCluster, readReplicaLogs, startCluster, waitFor } from '@gregor/testkit';
import { Admin, Producer } from '@gregor/client';

const TOPIC = 'failover-move';
const VALUE_BYTES = 16 * 1024;

/**
 * A move lives in the metadata log and is driven by whichever replica leads: killing the
 * controller leader and the broker receiving the replica, mid-copy, delays it and loses nothing.
 */
describe('a reassignment across failures', () => {
  let cluster: LocalCluster;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: { 'raft-tick-ms': 50, 'broker-heartbeat-ms': 200, 'broker-session-timeout-ms': 2000 } });
    admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 10000 });
    await waitFor(() => admin.createTopic(TOPIC, { partitions: 1, replicationFactor: 3 }).catch(() => null), 30000, 'topic created');
  }, 90000);

  afterAll(async () => {
    admin?.close();
    await cluster?.cleanup();
  });

  it('survives a controller failover and a restart of the new replica\'s broker, and every acknowledged record is on the target', async () => {
    const producer = new Producer({ brokers: cluster.bootstrap, lingerMs: 2, requestTimeoutMs: 5000, retryBackoffMaxMs: 300 });
    const acks: Ack[] = [];
    const run = { producing: true };
    let sendIndex = 0;
    let target: number[] = [];
    const send = async (bytes: number): Promise<void> => {
      const i = sendIndex++;
      const value = `v${i}:`.padEnd(bytes, 'x');
      const sent = await producer.send(TOPIC, { value, partition: 0 });
      acks.push({ partition: 0, offset: sent.offset, value, producer: 0, sendIndex: i });
    };
    try {
      // 4 MiB of log at a quarter MB/s: the copy takes long enough to fail things under it. The
      // records written meanwhile are small so that the throttled learner can still catch up.
      for (let i = 0; i < 256; i++) await send(VALUE_BYTES);
      const producing = (async () => {
        while (run.producing) await send(64).catch(() => undefined);
      })();

      await cluster.join(4);
      await waitFor(async () => (await admin.describeCluster()).brokers.find((b) => b.id === 4)?.alive || null, 30000, 'broker 4 registered');
      const [before] = (await admin.describeCluster()).partitions.filter((p) => p.topic === TOPIC).map((p) => p.replicas);
      target = [4, ...before.slice(1)];
      await admin.reassignPartitions([{ topic: TOPIC, partition: 0, replicas: target }], 0.25);
      // After broker 4's restart (and a controller failover) the copy resumes later than the
      // first one starts: under CI load once more than 30 s, so it gets a minute.
      const copying = () =>
        waitFor(async () => {
          const [move] = (await admin.listReassignments()).reassignments;
          return move?.adding.some((r) => r.bytes > 0 && r.bytes < r.totalBytes) ? move : null;
        }, 60000, 'broker 4 copying');
      await copying();

      const controller = (await admin.describeCluster()).controllerId;
      await cluster.kill(controller, 'SIGKILL');
      await waitFor(async () => {
        const now = (await admin.describeCluster().catch(() => null))?.controllerId;
        return now !== undefined && now !== 0 && now !== controller ? now : null;
      }, 30000, 'another controller leader');
      await cluster.start(controller);
      await cluster.restart(4, 'SIGKILL');
      expect((await copying()).target).toEqual(target);
      run.producing = false;
      await producing;

      await waitFor(async () => (await admin.listReassignments()).reassignments.length === 0 || null, 120000, 'the move done');
      const after = (await admin.describeCluster()).partitions.find((p) => p.topic === TOPIC)!;
      expect(after.replicas).toEqual(target);
    } finally {
      run.producing = false;
      await producer.close();
    }

    const highWatermarks = new Map((await admin.listOffsets(TOPIC, 'latest')).map((o) => [o.partition, o.highWatermark]));
    await cluster.stopAll();
    const replicas = await readReplicaLogs(new Map(target.map((id) => [id, cluster.dataDir(id)])), TOPIC);
    expect(replicas.map((r) => r.brokerId).sort()).toEqual([...target].sort());
    const result = checkHistory({ partitions: 1, acks, observations: [], replicas, highWatermarks, finalReads: new Map() });
    expect(result.problems).toEqual([]);
    expect({ lost: result.lost, duplicated: result.duplicated, divergent: result.divergent }).toEqual({ lost: 0, duplicated: 0, divergent: 0 });
    expect(result.acked).toBeGreaterThan(256);
  }, 300000);
});
