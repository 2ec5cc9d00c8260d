import { Admin } from '@gregor/client';
import { BrokerProcess, startBroker } from '../../src/broker-process';
import { checkHistory } from '../../src/chaos/checker';
import { readReplicaLogs } from '../../src/chaos/replica-reader';
import { Workload, readAll } from '../../src/chaos/workload';
import { testSeed } from '../../src/prng';
import { waitFor } from '../../src/wait-for';

// The chaos pipeline without faults, on one broker: what the workload records, the final read
// and the log on disk must agree, so a clean run reports nothing.
describe('chaos pipeline on a single broker', () => {
  let broker: BrokerProcess;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  test('workload, final read, replica reader and checker agree on a clean run', async () => {
    const admin = new Admin({ address: broker.address });
    await admin.createTopic('pipeline', { partitions: 2 });
    const workload = new Workload({ brokers: broker.address, topic: 'pipeline', partitions: 2, producers: 2, recordsPerSecond: 2000, seed: testSeed('pipeline'), log: () => undefined });
    workload.start();
    await waitFor(() => workload.acks.length >= 500, 20000, '500 acknowledged records');
    await workload.stopProducing(20000);
    const offsets = await admin.listOffsets('pipeline', 'latest');
    const highWatermarks = new Map(offsets.map((o) => [o.partition, o.offset]));
    await waitFor(() => workload.observations.length === workload.acks.length, 20000, 'the consumer to read every acknowledged record');
    const finalReads = await readAll(broker.address, 'pipeline', highWatermarks, 20000);
    await workload.stopConsuming();
    admin.close();
    await broker.kill('SIGTERM');

    const replicas = await readReplicaLogs(new Map([[1, broker.dataDir]]), 'pipeline');
    expect(replicas.map((r) => r.partition)).toEqual([0, 1]);
    const result = checkHistory({ partitions: 2, acks: workload.acks, observations: workload.observations, replicas, highWatermarks, finalReads });
    expect(result).toEqual({ acked: workload.acks.length, lost: 0, duplicated: 0, divergent: 0, reordered: 0, problems: [] });
    expect(workload.sendErrors).toBe(0);
    expect([...finalReads.values()].reduce((n, r) => n + r.length, 0)).toBe(workload.acks.length);
    // Every value the producers were acknowledged for names its producer and sequence number.
    expect(workload.acks.every((a) => /^p[01]-\d+$/.test(a.value))).toBe(true);
  }, 60000);
});
