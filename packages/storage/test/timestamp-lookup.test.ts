import { encodeBatch } from '@gregor/records';
import { openLog, tempDir } from './helpers';

function batchAt(timestamps: number[]): Buffer {
  return encodeBatch(timestamps.map((timestamp, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp })));
}

describe('offsetForTimestamp', () => {
  it('finds the first record whose timestamp is at least the one asked, across segments', async () => {
    const log = await openLog(tempDir(), { segmentBytes: 1024, indexIntervalBytes: 64, retentionMs: -1 });
    for (let i = 0; i < 50; i++) await log.append(batchAt([i * 100, i * 100 + 10, i * 100 + 20]));
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(await log.offsetForTimestamp(0)).toBe(0);
    expect(await log.offsetForTimestamp(-5)).toBe(0);
    expect(await log.offsetForTimestamp(1010)).toBe(31);
    expect(await log.offsetForTimestamp(1011)).toBe(32);
    expect(await log.offsetForTimestamp(4920)).toBe(149);
    expect(await log.offsetForTimestamp(4921)).toBeNull();
    await log.close();
  });

  it('handles timestamps that go backwards between batches', async () => {
    const log = await openLog(tempDir(), { indexIntervalBytes: 0 });
    await log.append(batchAt([500]));
    await log.append(batchAt([100]));
    await log.append(batchAt([900]));
    expect(await log.offsetForTimestamp(200)).toBe(0);
    expect(await log.offsetForTimestamp(600)).toBe(2);
    await log.close();
  });
});

describe('maxTimestampRecord', () => {
  it('finds the first record with the largest timestamp, inside its batch, across segments and after reopening', async () => {
    const dir = tempDir();
    const log = await openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 64, retentionMs: -1 });
    expect(await log.maxTimestampRecord()).toBeNull();
    for (let i = 0; i < 30; i++) await log.append(batchAt(i === 7 ? [700, 99_000, 99_000] : [i * 100, i * 100 + 10, i * 100 + 20]));
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(await log.maxTimestampRecord()).toEqual({ offset: 22, timestamp: 99_000 });
    await log.close();
    const reopened = await openLog(dir, { segmentBytes: 1024, indexIntervalBytes: 64, retentionMs: -1 });
    expect(await reopened.maxTimestampRecord()).toEqual({ offset: 22, timestamp: 99_000 });
    await reopened.close();
  });
});
