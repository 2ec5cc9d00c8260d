import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeBatch } from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { PartitionReplica } from '../src/partition-replica';

describe('PartitionReplica', () => {
  let dir: string;
  let replica: PartitionReplica;
  const batch = (...values: string[]): Buffer => encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gregor-replica-'));
    replica = new PartitionReplica('t', 0, await PartitionLog.open(dir));
  });
  afterEach(async () => {
    await replica.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('moves the high watermark on append and wakes waiters without polling', async () => {
    expect(replica.highWatermark).toBe(0);
    const waiting = replica.waitForData(0, null);
    let woken = false;
    void waiting.then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    await replica.append(batch('a', 'b'));
    expect(await waiting).toBe(true);
    expect(replica.highWatermark).toBe(2);
  });

  it('times out, aborts and closes waiters with false', async () => {
    expect(await replica.waitForData(0, 10)).toBe(false);
    const abort = new AbortController();
    const aborted = replica.waitForData(0, null, abort.signal);
    abort.abort();
    expect(await aborted).toBe(false);
    const closing = replica.waitForData(0, null);
    await replica.close();
    expect(await closing).toBe(false);
    replica = new PartitionReplica('t', 0, await PartitionLog.open(dir));
  });

  it('reads from the high watermark as empty and refuses offsets outside [log start, high watermark]', async () => {
    await replica.append(batch('a'));
    expect((await replica.read(1, 1000)).bytes).toHaveLength(0);
    await expect(replica.read(2, 1000)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', message: expect.stringMatching(/t-0: log start offset 0, end offset 1/) });
    await expect(replica.read(-1, 1000)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
  });

  it('starts with the high watermark at the recovered log end', async () => {
    await replica.append(batch('a', 'b', 'c'));
    await replica.close();
    replica = new PartitionReplica('t', 0, await PartitionLog.open(dir));
    expect(replica.highWatermark).toBe(3);
  });
});
