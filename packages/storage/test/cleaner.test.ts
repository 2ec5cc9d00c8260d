import * as fs from 'node:fs';
import { decodeBatch, encodeBatch, encodeControlBatch, iterateBatches } from '@gregor/records';
import { PartitionLog, SwapStep } from '@gregor/storage';
import { ManualClock, openLog, tempDir } from './helpers';
import { CLEANER, cleanerThread, finalValues, KeyedRecord, keyedBatch, readLog, StoredRecord } from './cleaner-helpers';

const DAY = 24 * 60 * 60 * 1000;
const COMPACTED = { segmentBytes: 1024, cleanupPolicy: 'compact' as const, minCleanableDirtyRatio: 0 };

/** Three keys overwritten round after round, a tombstone for `c` in round 5, over several segments. */
async function fillWithRounds(log: PartitionLog, clock: ManualClock, rounds = 12): Promise<StoredRecord[]> {
  const written: StoredRecord[] = [];
  for (let round = 0; round < rounds; round++) {
    clock.time += 1000;
    const records: KeyedRecord[] = ['a', 'b', 'c'].map((key) => ({ key, value: key === 'c' && round === 5 ? null : `${key}${round}`.padEnd(80, '.') }));
    const { baseOffset } = await log.append(keyedBatch(records, clock.time));
    records.forEach((r, i) => written.push({ ...r, offset: baseOffset + i }));
  }
  return written;
}

function clean(log: PartitionLog, afterSwapStep?: (step: SwapStep) => void, below = log.logEndOffset) {
  return log.clean({ below, dedupeBufferBytes: 1 << 20, ...CLEANER, afterSwapStep });
}

describe('log cleaner', () => {
  afterAll(() => cleanerThread.close());

  it('keeps only the newest record per key in sealed segments and never touches the active one', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    const written = await fillWithRounds(log, clock);
    expect(log.segmentCount).toBeGreaterThan(2);
    const report = await clean(log);
    expect(report!.recordsRemoved).toBeGreaterThan(0);
    const { records } = await readLog(log);
    expect(finalValues(records)).toEqual(finalValues(written));
    const sealedEnd = report!.cleanedTo;
    const keysBelow = records.filter((r) => r.offset < sealedEnd).map((r) => r.key);
    expect(new Set(keysBelow).size).toBe(keysBelow.length);
    expect(records.filter((r) => r.offset >= sealedEnd)).toEqual(written.filter((r) => r.offset >= sealedEnd));
    await log.close();
  });

  it('cleans nothing at or past `below`, the commit point', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    const written = await fillWithRounds(log, clock);
    expect(await clean(log, undefined, 0)).toBeNull();
    expect((await readLog(log)).records).toEqual(written);
    await log.close();
  });

  it('removes a tombstone only once delete.retention.ms has passed since its batch', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), { ...COMPACTED, deleteRetentionMs: DAY }, clock);
    await fillWithRounds(log, clock, 6);
    await log.append(keyedBatch([{ key: 'z', value: 'pad'.padEnd(1800, '.') }], clock.time));
    await log.append(keyedBatch([{ key: 'z', value: 'roll' }], clock.time));
    await clean(log);
    const tombstone = (await readLog(log)).records.filter((r) => r.key === 'c');
    expect(tombstone).toEqual([expect.objectContaining({ value: null })]);
    clock.time += DAY + 1;
    await log.append(keyedBatch([{ key: 'a', value: 'dirty again' }], clock.time));
    await log.append(keyedBatch([{ key: 'z', value: 'pad'.padEnd(1800, '.') }], clock.time));
    await clean(log);
    expect((await readLog(log)).records.filter((r) => r.key === 'c')).toEqual([]);
    await log.close();
  });

  it('leaves segments newer than min.compaction.lag.ms alone', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), { ...COMPACTED, minCompactionLagMs: DAY }, clock);
    const written = await fillWithRounds(log, clock);
    expect(await clean(log)).toBeNull();
    clock.time += DAY;
    expect(await clean(log)).not.toBeNull();
    expect(finalValues((await readLog(log)).records)).toEqual(finalValues(written));
    await log.close();
  });

  it('with a map too small for every key, cleans up to where it filled and the rest on a later pass', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    const written = await fillWithRounds(log, clock);
    const first = await log.clean({ below: log.logEndOffset, dedupeBufferBytes: 2 * 24, ...CLEANER });
    expect(first!.cleanedTo).toBe(2);
    const second = await clean(log);
    expect(second!.cleanedTo).toBeGreaterThan(2);
    expect(finalValues((await readLog(log)).records)).toEqual(finalValues(written));
    await log.close();
  });

  it('joins neighbours left without records into one header, and keeps a batch with a producer id whole', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    for (let i = 0; i < 30; i++) await log.append(keyedBatch([{ key: 'only', value: `v${i}` }], clock.time));
    const idempotent = encodeBatch([{ key: Buffer.from('only'), value: Buffer.from('by a producer') }], { producerId: 7, producerEpoch: 0, baseSequence: 0, baseTimestamp: clock.time });
    const { baseOffset } = await log.append(idempotent);
    for (let i = 0; i < 30; i++) await log.append(keyedBatch([{ key: 'only', value: `w${i}` }], clock.time));
    const sizeBefore = log.sizeInBytes;
    await clean(log);
    const { batches } = await readLog(log);
    expect(batches.length).toBeLessThan(20);
    expect(batches).toContainEqual([baseOffset, baseOffset]);
    expect(log.sizeInBytes).toBeLessThan(sizeBefore / 2);
    await log.close();
  });

  it('reads on past segments left holding no record, so a read from the start returns records', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    for (let i = 0; i < 40; i++) await log.append(keyedBatch([{ key: 'only', value: `v${i}`.padEnd(100, '.') }], clock.time));
    await clean(log);
    const { bytes, nextOffset } = await log.read(0, 64 * 1024);
    const decoded = [...iterateBatches(bytes)].flatMap(({ position }) => decodeBatch(bytes, position).records);
    expect(decoded.length).toBeGreaterThan(0);
    expect(nextOffset).toBeGreaterThan(decoded[0].offset);
    await log.close();
  });

  it('keeps control batches whole', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    await fillWithRounds(log, clock, 3);
    const { baseOffset } = await log.append(encodeControlBatch('leader-noop', null, { baseTimestamp: clock.time }));
    await fillWithRounds(log, clock, 9);
    await clean(log);
    expect(log.batchAt(baseOffset)).toMatchObject({ baseOffset, lastOffset: baseOffset });
    await log.close();
  });

  it('does not clean under cleanup.policy=delete, and retention does not delete under compact', async () => {
    const clock = new ManualClock();
    const deleting = await openLog(tempDir(), { ...COMPACTED, cleanupPolicy: 'delete' }, clock);
    await fillWithRounds(deleting, clock);
    expect(await clean(deleting)).toBeNull();
    await deleting.close();
    const compacted = await openLog(tempDir(), { ...COMPACTED, retentionBytes: 0 }, clock);
    await fillWithRounds(compacted, clock);
    expect(await compacted.applyRetention()).toBe(0);
    expect(compacted.logStartOffset).toBe(0);
    await compacted.close();
  });

  it('serves a read that started on a segment while it was swapped', async () => {
    const clock = new ManualClock();
    const log = await openLog(tempDir(), COMPACTED, clock);
    const written = await fillWithRounds(log, clock);
    const before = (await readLog(log)).records;
    let reading: Promise<StoredRecord[]> | null = null;
    await clean(log, (step) => {
      if (step === 'swap-committed' && reading === null) reading = readLog(log).then((r) => r.records);
    });
    const during = await reading!;
    expect(finalValues(during)).toEqual(finalValues(written));
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    for (const r of during) expect(byOffset.get(r.offset)).toEqual(r);
    await log.close();
  });

  it.each<SwapStep>(['cleaned-written', 'swap-committed', 'indexes-replaced', 'log-replaced'])('loses nothing when killed after step %s of a segment swap', async (step) => {
    const clock = new ManualClock();
    const dir = tempDir();
    const log = await openLog(dir, COMPACTED, clock);
    const written = await fillWithRounds(log, clock);
    await log.flush();
    const killed = new Error(`killed after ${step}`);
    await expect(
      clean(log, (at) => {
        if (at === step) throw killed;
      }),
    ).rejects.toBe(killed);
    // The killed process's log is left as it was, unclosed; a new process opens the directory.
    const reopened = await PartitionLog.open(dir, COMPACTED, clock);
    expect(reopened.openReport.problems).toEqual([]);
    expect(fs.readdirSync(dir).filter((name) => name === '.cleaning' || name.endsWith('.swap'))).toEqual([]);
    const { records, batches } = await readLog(reopened);
    const offsets = records.map((r) => r.offset);
    expect(offsets).toEqual([...new Set(offsets)].sort((x, y) => x - y));
    const byOffset = new Map(written.map((r) => [r.offset, r]));
    for (const r of records) expect(byOffset.get(r.offset)).toEqual(r);
    expect(finalValues(records)).toEqual(finalValues(written));
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(reopened.logEndOffset).toBe(36);
    await clean(reopened);
    expect(finalValues((await readLog(reopened)).records)).toEqual(finalValues(written));
    await reopened.close();
  });
});
