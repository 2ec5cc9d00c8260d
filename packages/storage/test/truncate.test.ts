import type { PartitionLog } from '../src';
import { makeBatch, openLog, readAllValues, segmentFiles, tempDir } from './helpers';

describe('truncateTo', () => {
  it('removes everything from the batch holding the offset on, across segments and indexes', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 2048, indexIntervalBytes: 100 });
    for (let i = 0; i < 30; i++) await log.append(makeBatch(2, { tag: `t${i}`, valueBytes: 100 }), i < 15 ? 1 : 2);
    expect(log.segmentCount).toBeGreaterThan(3);
    await log.truncateTo(21);
    expect(log.logEndOffset).toBe(20);
    expect(log.lastBatch()).toEqual({ lastOffset: 19, term: 1 });
    expect(log.termAt(20)).toBeNull();
    const values = await readAllValues(log);
    expect(values.map((v) => v.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const appended = await log.append(makeBatch(2, { tag: 'new' }), 3);
    expect(appended.baseOffset).toBe(20);
    expect((await readAllValues(log)).slice(-1)[0].value.startsWith('new-1')).toBe(true);
    await log.close();

    const reopened = await openLog(dir, { segmentBytes: 2048, indexIntervalBytes: 100 });
    expect(reopened.logEndOffset).toBe(22);
    expect(reopened.openReport.recoveredSegments).toBe(0);
    expect(await readAllValues(reopened)).toHaveLength(22);
    await reopened.close();
  });

  it('survives an unclean stop after truncating: the cut segment is checked again on open', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 2048 });
    for (let i = 0; i < 30; i++) await log.append(makeBatch(2, { valueBytes: 60 }));
    await log.truncateTo(10);
    await log.append(makeBatch(1, { tag: 'after' }));
    // No close: the next open must treat the directory as an unclean stop.
    const reopened = await openLog(dir, { segmentBytes: 2048 });
    expect(reopened.openReport.cleanShutdown).toBe(false);
    expect(reopened.logEndOffset).toBe(11);
    expect((await readAllValues(reopened))[10].value.startsWith('after-0')).toBe(true);
    await reopened.close();
  });

  it('at or below the log start empties the log and restarts it at that offset', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    for (let i = 0; i < 3; i++) await log.append(makeBatch(2));
    await log.truncateTo(0);
    expect(log.logEndOffset).toBe(0);
    expect(log.lastBatch()).toBeNull();
    await log.truncateTo(100);
    expect(log.logStartOffset).toBe(0);
    expect(segmentFiles(dir, '.log')).toEqual(['00000000000000000000.log']);
    await log.close();
  });

  it('is a no-op at or beyond the log end', async () => {
    const log = await openLog(tempDir());
    await log.append(makeBatch(3));
    await log.truncateTo(3);
    await log.truncateTo(99);
    expect(log.logEndOffset).toBe(3);
    await log.close();
  });
});

describe('resetTo', () => {
  it('empties the log and restarts it at any offset, as installing a snapshot needs', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    await log.append(makeBatch(2));
    await log.resetTo(500);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([500, 500]);
    expect((await log.append(makeBatch(1))).baseOffset).toBe(500);
    expect(segmentFiles(dir, '.log')).toEqual(['00000000000000000500.log']);
    await log.close();
    const reopened = await openLog(dir);
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([500, 501]);
    await reopened.close();
  });
});

describe('appendAsFollower', () => {
  /** A leader's log of six two-record batches, and each batch as a read of it returns it. */
  async function sixBatches(options: { segmentBytes?: number }): Promise<{ leader: PartitionLog; chunks: Buffer[] }> {
    const leader = await openLog(tempDir(), options);
    const chunks: Buffer[] = [];
    for (let i = 0; i < 6; i++) {
      const appended = await leader.append(makeBatch(2, { tag: `b${i}`, valueBytes: 200 }), 4);
      chunks.push((await leader.read(appended.baseOffset, 1)).bytes);
    }
    return { leader, chunks };
  }

  it('keeps the offsets it is given and refuses gaps and overlaps', async () => {
    const leader = await openLog(tempDir());
    for (let i = 0; i < 4; i++) await leader.append(makeBatch(3, { tag: `f${i}` }), 5);
    const { bytes } = await leader.read(0, 1 << 20);

    const follower = await openLog(tempDir());
    const result = await follower.appendAsFollower(bytes);
    expect(result).toMatchObject({ baseOffset: 0, lastOffset: 11 });
    expect(follower.lastBatch()).toEqual({ lastOffset: 11, term: 5 });
    expect(await readAllValues(follower)).toEqual(await readAllValues(leader));

    await expect(follower.appendAsFollower(bytes)).rejects.toMatchObject({ code: 'NON_CONTIGUOUS' });
    const gap = await leader.read(3, 1 << 20);
    const other = await openLog(tempDir());
    await expect(other.appendAsFollower(gap.bytes)).rejects.toMatchObject({ code: 'NON_CONTIGUOUS' });
    expect(other.logEndOffset).toBe(0);
    await Promise.all([leader.close(), follower.close(), other.close()]);
  });

  it('writes batches held in separate chunks as if they were one buffer', async () => {
    const { leader, chunks } = await sixBatches({});
    const follower = await openLog(tempDir());
    const layout = [chunks[0], chunks[1], Buffer.alloc(0), Buffer.concat(chunks.slice(2, 5)), chunks[5]];
    expect(await follower.appendAsFollower(layout)).toMatchObject({ baseOffset: 0, lastOffset: 11 });
    expect(await readAllValues(follower)).toEqual(await readAllValues(leader));
    await Promise.all([leader.close(), follower.close()]);
  });

  it('rolls segments between batches of separate chunks where they do not fit', async () => {
    const { leader, chunks } = await sixBatches({ segmentBytes: 1024 });
    expect(leader.segmentCount).toBe(3);
    const follower = await openLog(tempDir(), { segmentBytes: 1024 });
    await follower.appendAsFollower(chunks[0]);
    await follower.appendAsFollower(chunks.slice(1));
    expect(follower.segmentCount).toBe(3);
    expect(await readAllValues(follower)).toEqual(await readAllValues(leader));
    await Promise.all([leader.close(), follower.close()]);
  });

  it('after a truncation below the start, continues from the new start', async () => {
    const leader = await openLog(tempDir());
    for (let i = 0; i < 4; i++) await leader.append(makeBatch(3));
    const tail = await leader.read(6, 1 << 20);
    const follower = await openLog(tempDir());
    await follower.resetTo(6);
    await follower.appendAsFollower(tail.bytes);
    expect(follower.logStartOffset).toBe(6);
    expect(follower.logEndOffset).toBe(12);
    await Promise.all([leader.close(), follower.close()]);
  });
});
