import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Entry } from '@gregor/raft';
import { encodeBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { PartitionRaftStorage } from '../../src/replication/partition-raft-storage';
import { ReplicaStateStore } from '../../src/replication/replica-state-store';

describe('PartitionRaftStorage.append', () => {
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
