import { decodeBatch, encodeBatch, iterateBatches } from '@gregor/records';
import { CleanerThread, PartitionLog } from '@gregor/storage';
import { testSeed } from '@gregor/testkit';
import { PeerCluster } from './peer-cluster';

const keyed = (key: string, value: string): Buffer => encodeBatch([{ key: Buffer.from(key), value: Buffer.from(value.padEnd(120, '.')) }]);

/** Each key's newest value in the log, read from offset 0 below `end`. */
async function table(log: PartitionLog, end: number): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  let offset = 0;
  while (offset < end) {
    const { bytes, nextOffset } = await log.read(offset, 1 << 20, end);
    for (const { position } of iterateBatches(bytes)) {
      for (const record of decodeBatch(bytes, position).records) values.set(record.key!.toString(), record.value!.toString());
    }
    offset = nextOffset;
  }
  return values;
}

describe('a follower catching up from a compacted leader', () => {
  const cleanerThread = new CleanerThread();
  afterAll(() => cleanerThread.close());
  let cluster: PeerCluster;

  afterEach(() => cluster.close());

  it('appends the compacted log from where it stopped, inside a range the leader joined into one record-less batch', async () => {
    const seed = testSeed('compacted catch-up');
    cluster = new PeerCluster([1, 2, 3], seed);
    await cluster.start();
    const leader = await cluster.elect(1);
    const follower = cluster.member(3);
    for (let i = 0; i < 3; i++) await cluster.append(leader.replica, keyed('k', `before ${i}`));
    await cluster.until(() => follower.replica.highWatermark === leader.replica.highWatermark, 'broker 3 to have the first batches');
    const stoppedAt = follower.log.logEndOffset;

    cluster.loss = (at, m) => at === 3 || m.from === 3;
    for (let i = 0; i < 40; i++) await cluster.append(leader.replica, keyed(i % 2 ? 'k' : 'j', `while cut off ${i}`));
    leader.log.updateConfig({ cleanupPolicy: 'compact', minCleanableDirtyRatio: 0 });
    const report = await leader.log.clean({ below: leader.replica.highWatermark, dedupeBufferBytes: 1 << 20, thread: cleanerThread, ioBytesPerSecond: 0 });
    expect(report!.recordsRemoved).toBeGreaterThan(0);
    const joined = leader.log.batchAt(stoppedAt);
    expect(joined).toMatchObject({ hasRecords: false });
    expect(joined!.baseOffset).toBeLessThan(stoppedAt);

    cluster.loss = () => false;
    await cluster.until(() => follower.replica.highWatermark === leader.replica.highWatermark, 'broker 3 to catch up');
    expect(follower.log.logStartOffset).toBe(0);
    expect(follower.log.logEndOffset).toBe(leader.log.logEndOffset);
    const end = leader.replica.highWatermark;
    expect(await table(follower.log, end)).toEqual(await table(leader.log, end));
    expect(leader.replica.isLeader).toBe(true);
  });
});
