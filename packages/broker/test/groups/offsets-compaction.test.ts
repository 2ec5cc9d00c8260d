import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeBatch } from '@gregor/records';
import { CleanerThread, PartitionLog } from '@gregor/storage';
import { encodeCommit, offsetKey } from '../../src/groups/group-records';
import { toLogConfig, effectiveTopicConfigs } from '../../src/topic-config';

/** Commits written; OFFSETS_COMMITS=1000000 gives the figure quoted in the README. */
const COMMITS = Number(process.env.OFFSETS_COMMITS ?? 100_000);
const PARTITIONS = 4;
const CLEAN_EVERY = 25_000;

describe('__consumer_offsets under compaction', () => {
  const cleanerThread = new CleanerThread();
  afterAll(() => cleanerThread.close());

  it(`holds one group's latest offsets in bounded space after ${COMMITS} commits`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-offsets-'));
    // The offsets topic's configs as the coordinator creates it, with 1 MiB segments so a test's worth of commits seals some.
    const config = toLogConfig(effectiveTopicConfigs({}, { 'cleanup.policy': 'compact', 'segment.bytes': String(1024 * 1024), 'retention.ms': '-1' }));
    const log = await PartitionLog.open(dir, { ...config, flush: { kind: 'interval', intervalMs: 1000, intervalBytes: 64 * 1024 * 1024 } });
    const cleaner = { dedupeBufferBytes: 1024 * 1024, thread: cleanerThread, ioBytesPerSecond: 0 };
    try {
      let written = 0;
      for (let commit = 1; commit <= COMMITS; commit++) {
        const records = Array.from({ length: PARTITIONS }, (_, partition) => ({
          key: offsetKey('the-group', 'orders', partition),
          value: encodeCommit({ topic: 'orders', partition, offset: commit * 100, metadata: '', commitTime: 1_700_000_000_000 + commit, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
        }));
        const batch = encodeBatch(records, { baseTimestamp: 1_700_000_000_000 + commit, partitionLeaderEpoch: 1 });
        written += batch.length;
        await log.append(batch);
        if (commit % CLEAN_EVERY === 0) await log.clean({ below: log.logEndOffset, ...cleaner });
      }
      await log.clean({ below: log.logEndOffset, ...cleaner });
      const onDisk = log.sizeInBytes;
      console.log(`__consumer_offsets after ${COMMITS} commits of ${PARTITIONS} partitions: ${onDisk} bytes on disk of ${written} written`);
      // What stays: the active segment (at most segment.bytes) and, sealed, a header per run of emptied batches and the newest offsets.
      expect(onDisk).toBeLessThan(2 * 1024 * 1024);
    } finally {
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000 + COMMITS / 2);
});
