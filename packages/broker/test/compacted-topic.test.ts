import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CompressionType, decodeBatch, encodeBatch, iterateBatches } from '@gregor/records';
import { CleanerThread } from '@gregor/storage';
import { waitFor } from '@gregor/testkit';
import { GroupCoordinator } from '../src/groups/group-coordinator';
import { silentLogger } from '../src/logger';
import type { PartitionReplica } from '../src/partition-replica';
import { realTicker } from '../src/replication/ticker';
import { SingleNode, startSingleNode } from './single-node';

const cleanerThread = new CleanerThread();
const CLEANER = { dedupeBufferBytes: 1 << 20, thread: cleanerThread, ioBytesPerSecond: 0 };

async function latestByKey(replica: PartitionReplica): Promise<{ records: number; table: Map<string, string | null> }> {
  const table = new Map<string, string | null>();
  let records = 0;
  let offset = 0;
  while (offset < replica.highWatermark) {
    const { bytes, nextOffset } = await replica.log.read(offset, 1 << 20, replica.highWatermark);
    for (const { position } of iterateBatches(bytes)) {
      for (const record of decodeBatch(bytes, position).records) {
        records++;
        table.set(record.key!.toString(), record.value?.toString() ?? null);
      }
    }
    offset = nextOffset;
  }
  return { records, table };
}

describe('a topic with cleanup.policy=compact', () => {
  afterAll(() => cleanerThread.close());

  let dir: string;
  let node: SingleNode;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-compacted-'));
    node = await startSingleNode(dir, 1);
  });
  afterEach(async () => {
    await node.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is compacted by the cleaner pass below the commit point, keeping each key\'s newest value', async () => {
    await node.topics.create('table', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '1024', 'min.cleanable.dirty.ratio': '0' });
    const replica = node.topics.partition('table', 0);
    await waitFor(() => replica.replication.isLeader, 10_000, 'a leader');
    for (let round = 0; round < 20; round++) {
      await replica.append(encodeBatch(['a', 'b', 'c'].map((key) => ({ key: Buffer.from(key), value: Buffer.from(`${key}${round}`.padEnd(60, '.')) }))));
    }
    const before = await latestByKey(replica);
    expect(before.records).toBe(60);
    await node.topics.cleanLogs(CLEANER);
    const after = await latestByKey(replica);
    expect(after.table).toEqual(before.table);
    expect(after.records).toBeLessThan(20);
    expect(replica.log.logEndOffset).toBe(60);
  });

  it('refuses a batch holding a record without a key, storing nothing', async () => {
    await node.topics.create('keyed', 1, { 'cleanup.policy': 'compact' });
    const replica = node.topics.partition('keyed', 0);
    await waitFor(() => replica.replication.isLeader, 10_000, 'a leader');
    const batch = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }, { key: null, value: Buffer.from('no key') }]);
    await expect(async () => replica.append(batch)).rejects.toMatchObject({ code: 'INVALID_RECORD' });
    expect(replica.log.logEndOffset).toBe(0);
  });

  it('tells a corrupt batch it is corrupt, keys or not: the CRC is checked once, by the append', async () => {
    await node.topics.create('garbled', 1, { 'cleanup.policy': 'compact' });
    const replica = node.topics.partition('garbled', 0);
    await waitFor(() => replica.replication.isLeader, 10_000, 'a leader');
    for (const records of [[{ key: Buffer.from('k'), value: Buffer.from('v') }], [{ key: null, value: Buffer.from('no key') }]]) {
      const batch = encodeBatch(records);
      batch[batch.length - 1] ^= 0xff;
      await expect(async () => replica.append(batch)).rejects.toMatchObject({ code: 'CORRUPT_BATCH' });
    }
    expect(replica.log.logEndOffset).toBe(0);
  });

  it('refuses a compressed batch that would inflate past what its keys are checked within', async () => {
    await node.topics.create('bombed', 1, { 'cleanup.policy': 'compact' });
    const replica = node.topics.partition('bombed', 0);
    await waitFor(() => replica.replication.isLeader, 10_000, 'a leader');
    const bomb = encodeBatch([{ key: Buffer.from('k'), value: Buffer.alloc(65 * 1024 * 1024) }], { compression: CompressionType.Gzip });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(async () => replica.append(bomb)).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
    expect(replica.log.logEndOffset).toBe(0);
  });

  it('is how __consumer_offsets is created, so a group costs its latest offsets on disk, not every commit', async () => {
    const groups = new GroupCoordinator({ topics: node.topics, cluster: node.cluster, offsetsTopicPartitions: 1, ticker: realTicker, logger: silentLogger });
    try {
      await groups.coordinatorOf('g');
      expect(node.topics.partition('__consumer_offsets', 0).log.config().cleanupPolicy).toBe('compact');
    } finally {
      groups.close();
    }
  });
});
