import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManualClock, openLog, segmentFiles, tempDir } from './helpers';
import { CLEANER, cleanerThread, finalValues, KeyedRecord, keyedBatch, readLog } from './cleaner-helpers';

const DAY = 24 * 60 * 60 * 1000;

const recordArb = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'a-much-longer-key-hashed-by-digest'),
  value: fc.option(fc.string({ maxLength: 12 }), { freq: 4 }),
});
const stepArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), records: fc.array(recordArb, { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clean' as const), mapEntries: fc.integer({ min: 1, max: 8 }) }) },
);

function propertySeed(): number {
  const fromEnv = process.env.FC_SEED;
  return fromEnv === undefined ? Date.now() % 2 ** 31 : Number(fromEnv);
}

describe('log compaction (property)', () => {
  afterAll(() => cleanerThread.close());

  it('keeps the newest record per key below the cleaned point, every kept record unaltered at its offset, and the same final table', async () => {
    const seed = propertySeed();
    console.log(`[cleaner property] seed ${seed} (replay with FC_SEED=${seed})`);
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.boolean(), async (steps, dropTombstones) => {
        const clock = new ManualClock();
        const dir = tempDir('gregor-cleaner-');
        const log = await openLog(dir, { segmentBytes: 1024, cleanupPolicy: 'compact', minCleanableDirtyRatio: 0, deleteRetentionMs: dropTombstones ? 0 : DAY }, clock);
        const written: Array<KeyedRecord & { offset: number }> = [];
        const batchesBefore: Array<[number, number]> = [];
        try {
          for (const step of steps) {
            clock.time += 1000;
            if (step.kind === 'append') {
              const { baseOffset, lastOffset } = await log.append(keyedBatch(step.records, clock.time));
              step.records.forEach((r, i) => written.push({ ...r, offset: baseOffset + i }));
              batchesBefore.push([baseOffset, lastOffset]);
            } else {
              await log.clean({ below: log.logEndOffset, dedupeBufferBytes: step.mapEntries * 24, ...CLEANER });
            }
          }
          clock.time += 1000;
          await log.clean({ below: log.logEndOffset, dedupeBufferBytes: 1 << 20, ...CLEANER });
          const { records, batches } = await readLog(log);
          // Batches keep their offset ranges, but for record-less neighbours joined into one.
          const ends = new Set(batches.map(([, last]) => last));
          const keptOffsets = new Set(records.map((r) => r.offset));
          for (const [first, last] of batchesBefore) {
            if (ends.has(last)) continue;
            for (let offset = first; offset <= last; offset++) expect(keptOffsets.has(offset)).toBe(false);
          }
          expect(batches[batches.length - 1]?.[1] ?? -1).toBe(batchesBefore[batchesBefore.length - 1]?.[1] ?? -1);
          const byOffset = new Map(written.map((r) => [r.offset, r]));
          for (const r of records) expect(byOffset.get(r.offset)).toEqual(r);
          expect(finalValues(records)).toEqual(finalValues(written));
          // Everything sealed is committed and old enough: one pass with room for every key cleans up to the active segment.
          const cleanedTo = Number(segmentFiles(dir, '.log').pop()!.slice(0, 20));
          if (cleanedTo > 0) expect(Number(fs.readFileSync(path.join(dir, 'cleaner-checkpoint'), 'utf8'))).toBe(cleanedTo);
          const below = records.filter((r) => r.offset < cleanedTo);
          const newest = new Map<string, number>();
          for (const r of written) if (r.offset < cleanedTo) newest.set(r.key, r.offset);
          expect(below.map((r) => r.offset)).toEqual([...newest.values()].filter((offset) => !(dropTombstones && byOffset.get(offset)!.value === null)).sort((x, y) => x - y));
        } finally {
          await log.close();
        }
      }),
      { seed, numRuns: 60 },
    );
  });
});
