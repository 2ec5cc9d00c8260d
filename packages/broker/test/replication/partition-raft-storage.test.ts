import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Entry } from '@gregor/raft';
import { encodeBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { PartitionRaftStorage } from '../../src/replication/partition-raft-storage';
import { ReplicaStateStore } from '../../src/replication/replica-state-store';

describe('PartitionRaftStorage', () => {
  let dir: string;
  let log: PartitionLog;
  let storage: PartitionRaftStorage;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-raft-storage-'));
    log = await PartitionLog.open(dir, { flush: { kind: 'always' } });
    storage = new PartitionRaftStorage(log, ReplicaStateStore.open(dir, { lastIndex: 0, term: 0, config: { voters: [1], learners: [] } }));
  });

  afterEach(async () => {
    storage.state.close();
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('append', () => {
    /** A two-record batch at offset 0 whose CRC no longer matches its bytes. */
    function corruptEntry(): Entry {
      const batch = encodeBatch([{ key: null, value: Buffer.from('a') }, { key: null, value: Buffer.from('b') }]);
      batch[batch.length - 1] ^= 0xff;
      return { term: 1, firstIndex: 1, lastIndex: 2, type: 'normal', data: batch };
    }

    it('checks the CRC of entries received from a leader', async () => {
      await expect(storage.append([corruptEntry()])).rejects.toMatchObject({ code: 'CORRUPT_BATCH' });
      expect(log.logEndOffset).toBe(0);
    });

    it('does not compute the CRC again for a batch this replica checked when it was produced to it', async () => {
      const entry = corruptEntry();
      storage.noteChecked(entry.data);
      await storage.append([entry]);
      expect(log.logEndOffset).toBe(2);
    });
  });

  describe('entries', () => {
    /** The normal entry of a `count`-record batch at `baseOffset`, as a leader stamps it. */
    function entryAt(baseOffset: number, count: number, term = 1): Entry {
      const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${baseOffset + i}`) }));
      const data = encodeBatch(records, { baseOffset, partitionLeaderEpoch: term });
      return { term, firstIndex: baseOffset + 1, lastIndex: baseOffset + count, type: 'normal', data };
    }

    it('answers for entries it wrote and has not applied with the very buffers it wrote, reading no disk', async () => {
      const written = [entryAt(0, 2), entryAt(2, 3)];
      await storage.append(written);
      const read = storage.entries(0, 5, Infinity);
      expect(read.map((e) => e.data)).toEqual(written.map((e) => e.data));
      expect(read[0].data).toBe(written[0].data);
      expect(read[1].data).toBe(written[1].data);
    });

    it('reads applied entries back from the log', async () => {
      const written = [entryAt(0, 2), entryAt(2, 3)];
      await storage.append(written);
      storage.releaseThrough(5);
      const read = storage.entries(0, 5, Infinity);
      expect(read.map(({ term, firstIndex, lastIndex }) => [term, firstIndex, lastIndex])).toEqual([[1, 1, 2], [1, 3, 5]]);
      expect(Buffer.from(read[1].data).equals(Buffer.from(written[1].data))).toBe(true);
      expect(read[1].data).not.toBe(written[1].data);
    });

    it('answers with the entries that replaced a cut tail', async () => {
      await storage.append([entryAt(0, 2), entryAt(2, 3)]);
      const replacement = entryAt(2, 1, 2);
      await storage.append([replacement]);
      const read = storage.entries(2, 5, Infinity);
      expect(read).toHaveLength(1);
      expect(read[0].data).toBe(replacement.data);
      expect(storage.lastIndex()).toBe(3);
    });
  });
});
