import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeBatch, openLog, readAllValues, segmentFiles, tempDir } from './helpers';

function logFile(dir: string, index = -1): string {
  const files = segmentFiles(dir, '.log');
  return path.join(dir, files[index < 0 ? files.length + index : index]);
}

async function writeBatches(dir: string, count: number, config = {}): Promise<number[]> {
  const log = await openLog(dir, config);
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const batch = makeBatch(3, { tag: `b${i}`, valueBytes: 50 });
    sizes.push(batch.length);
    await log.append(batch);
  }
  // Deliberately not closed: the directory now looks like the process died.
  return sizes;
}

describe('recovery after an unclean stop', () => {
  it('cuts a torn tail at the last batch whose CRC checks', async () => {
    const dir = tempDir();
    const sizes = await writeBatches(dir, 10);
    fs.truncateSync(logFile(dir), fs.statSync(logFile(dir)).size - Math.floor(sizes[9] / 2));
    const log = await openLog(dir);
    expect(log.openReport.cleanShutdown).toBe(false);
    expect(log.openReport.problems.join()).toMatch(/torn/);
    expect(log.logEndOffset).toBe(27);
    expect(await readAllValues(log)).toHaveLength(27);
    expect((await log.append(makeBatch(1))).baseOffset).toBe(27);
    await log.close();
  });

  it('cuts a tail whose last batch fails its CRC', async () => {
    const dir = tempDir();
    await writeBatches(dir, 5);
    const file = logFile(dir);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const log = await openLog(dir);
    expect(log.openReport.problems.join()).toMatch(/CRC/);
    expect(log.logEndOffset).toBe(12);
    await log.close();
  });

  it('trusts segments below the recovery point and re-checks only the newer ones', async () => {
    const dir = tempDir();
    const config = { segmentBytes: 1024 };
    const log = await openLog(dir, config);
    for (let i = 0; i < 30; i++) await log.append(makeBatch(3, { valueBytes: 50 }));
    const segments = log.segmentCount;
    expect(segments).toBeGreaterThan(3);
    const reopened = await openLog(dir, config);
    expect(reopened.openReport.recoveredSegments).toBe(1);
    expect(reopened.logEndOffset).toBe(90);
    expect(reopened.segmentCount).toBe(segments);
    await reopened.close();
  });

  it('drops segments after a gap rather than serving a log with a hole', async () => {
    const dir = tempDir();
    const config = { segmentBytes: 1024 };
    const log = await openLog(dir, config);
    for (let i = 0; i < 30; i++) await log.append(makeBatch(3, { valueBytes: 50 }));
    await log.close();
    fs.rmSync(logFile(dir, 1));
    const reopened = await openLog(dir, config);
    expect(reopened.openReport.problems.join()).toMatch(/dropped/);
    expect(reopened.segmentCount).toBe(1);
    expect(await readAllValues(reopened)).toHaveLength(reopened.logEndOffset);
    await reopened.close();
  });
});

describe('opening a cleanly closed log', () => {
  it('reads no segment in full and finds the same end, terms and timestamps', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 2048, indexIntervalBytes: 256 });
    for (let i = 0; i < 40; i++) await log.append(makeBatch(3, { valueBytes: 50, timestamp: 1000 * i }), i);
    await log.close();
    const reopened = await openLog(dir, { segmentBytes: 2048, indexIntervalBytes: 256 });
    expect(reopened.openReport).toEqual({ cleanShutdown: true, recoveredSegments: 0, problems: [] });
    expect(reopened.logEndOffset).toBe(120);
    expect(reopened.lastBatch()).toEqual({ lastOffset: 119, term: 39 });
    expect(await reopened.offsetForTimestamp(39_000)).toBe(117);
    await reopened.close();
  });

  it('rebuilds a missing or inconsistent index from the log', async () => {
    const dir = tempDir();
    const config = { segmentBytes: 4096, indexIntervalBytes: 100 };
    const log = await openLog(dir, config);
    for (let i = 0; i < 40; i++) await log.append(makeBatch(3, { valueBytes: 50 }));
    await log.close();
    const indexes = segmentFiles(dir, '.index');
    fs.rmSync(path.join(dir, indexes[0]));
    fs.writeFileSync(path.join(dir, indexes[1]), Buffer.from([0, 0, 0, 9, 0xff, 0xff, 0xff, 0xff]));
    const reopened = await openLog(dir, config);
    expect(reopened.openReport.recoveredSegments).toBe(2);
    expect(fs.statSync(path.join(dir, indexes[0])).size).toBeGreaterThan(0);
    expect((await readAllValues(reopened)).map((v) => v.offset)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    await reopened.close();
  });

  it('reports a bad CRC in the middle of a segment as corruption and never serves it', async () => {
    const dir = tempDir();
    const log = await openLog(dir);
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = makeBatch(3, { valueBytes: 50 });
      sizes.push(batch.length);
      await log.append(batch);
    }
    await log.close();
    const file = logFile(dir);
    const bytes = fs.readFileSync(file);
    const third = sizes[0] + sizes[1];
    bytes[third + 70] ^= 0x01;
    fs.writeFileSync(file, bytes);
    const reopened = await openLog(dir);
    await expect(reopened.read(6, 1 << 20)).rejects.toMatchObject({ code: 'CORRUPT_LOG' });
    await expect(reopened.read(0, 1 << 20)).rejects.toMatchObject({ code: 'CORRUPT_LOG' });
    const before = await reopened.read(0, sizes[0] + sizes[1]);
    expect(before.nextOffset).toBe(6);
    await reopened.close();
  });
});
