import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManualClock, makeBatch, openLog, segmentFiles, tempDir } from './helpers';

const DAY = 24 * 60 * 60 * 1000;

describe('segment rolling', () => {
  it('rolls before a segment would pass segment.bytes and names segments by 20-digit base offset', async () => {
    const dir = tempDir();
    const batch = makeBatch(5, { valueBytes: 100 });
    const log = await openLog(dir, { segmentBytes: batch.length * 3 });
    for (let i = 0; i < 7; i++) await log.append(makeBatch(5, { valueBytes: 100 }));
    expect(segmentFiles(dir, '.log')).toEqual([
      '00000000000000000000.log',
      '00000000000000000015.log',
      '00000000000000000030.log',
    ]);
    for (const name of segmentFiles(dir, '.log')) {
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(batch.length * 3);
    }
    await log.close();
  });

  it('rolls when the incoming batch is segment.ms newer than the first batch of the segment', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentMs: DAY });
    const t0 = 1_700_000_000_000;
    await log.append(makeBatch(1, { timestamp: t0 }));
    await log.append(makeBatch(1, { timestamp: t0 + DAY }));
    expect(log.segmentCount).toBe(1);
    await log.append(makeBatch(1, { timestamp: t0 + DAY + 10 }));
    expect(log.segmentCount).toBe(2);
    await log.close();
  });

  it('rolls when the offset index is full', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { indexIntervalBytes: 0, segmentIndexBytes: 8 * 4 });
    for (let i = 0; i < 12; i++) await log.append(makeBatch(1));
    expect(log.segmentCount).toBeGreaterThan(1);
    for (const name of segmentFiles(dir, '.index')) expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(32);
    await log.close();
  });
});

describe('retention', () => {
  it('deletes whole oldest segments while the log exceeds retention.bytes, never the active one', async () => {
    const dir = tempDir();
    const size = makeBatch(5, { valueBytes: 100 }).length;
    const log = await openLog(dir, { segmentBytes: size * 2, retentionBytes: size * 3, retentionMs: -1 });
    for (let i = 0; i < 8; i++) await log.append(makeBatch(5, { valueBytes: 100 }));
    expect(log.segmentCount).toBe(4);
    expect(await log.applyRetention()).toBe(2);
    expect(log.logStartOffset).toBe(20);
    expect(log.sizeInBytes).toBe(size * 4);
    expect(segmentFiles(dir, '.log')[0]).toBe('00000000000000000020.log');
    await expect(log.read(0, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await log.close();
  });

  it('keeps segments holding offsets at or past `below`, and reports the new start before deleting', async () => {
    const dir = tempDir();
    const size = makeBatch(5, { valueBytes: 100 }).length;
    const log = await openLog(dir, { segmentBytes: size * 2, retentionBytes: 0, retentionMs: -1 });
    for (let i = 0; i < 8; i++) await log.append(makeBatch(5, { valueBytes: 100 }), 3);
    const heard: unknown[] = [];
    expect(await log.applyRetention({ below: 25, beforeDelete: (start, last) => heard.push(start, last, segmentFiles(dir, '.log').length) })).toBe(2);
    expect(heard).toEqual([20, { baseOffset: 15, lastOffset: 19, term: 3, hasRecords: true }, 4]);
    expect(log.logStartOffset).toBe(20);
    await log.close();
  });

  it('deletes segments whose newest timestamp is older than retention.ms', async () => {
    const dir = tempDir();
    const clock = new ManualClock(1_700_000_000_000);
    const log = await openLog(dir, { retentionMs: DAY, segmentMs: 1000 }, clock);
    const t0 = clock.time;
    await log.append(makeBatch(2, { timestamp: t0 }));
    await log.append(makeBatch(2, { timestamp: t0 + 2000 }));
    await log.append(makeBatch(2, { timestamp: t0 + 4000 }));
    expect(log.segmentCount).toBe(3);
    clock.time = t0 + DAY + 3000;
    expect(await log.applyRetention()).toBe(2);
    expect(log.logStartOffset).toBe(4);
    await log.close();
    const reopened = await openLog(dir, { retentionMs: DAY }, clock);
    expect(reopened.logStartOffset).toBe(4);
    expect(reopened.logEndOffset).toBe(6);
    await reopened.close();
  });
});
