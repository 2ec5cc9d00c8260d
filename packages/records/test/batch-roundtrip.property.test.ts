import fc from 'fast-check';
import {
  CompressionType,
  type BatchOptions,
  type Record,
  TimestampType,
  decodeBatch,
  encodeBatch,
  iterateBatches,
  validateBatch,
} from '@gregor/records';
import { withSeed } from './helpers';

const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const nullableBytes = fc.option(bytes, { nil: null });
// lone surrogates cannot survive UTF-8, so header keys are drawn from well-formed text
const headerKey = fc.string({ unit: 'grapheme', maxLength: 8 });
const baseTimestamp = fc.integer({ min: 0, max: 2 ** 45 });

const record: fc.Arbitrary<Record> = fc.record(
  {
    key: nullableBytes,
    value: nullableBytes,
    headers: fc.array(fc.record({ key: headerKey, value: nullableBytes }), { maxLength: 3 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 46 }),
  },
  { requiredKeys: ['key', 'value'] },
);

const options: fc.Arbitrary<BatchOptions> = fc.record(
  {
    baseOffset: fc.integer({ min: 0, max: 2 ** 52 }),
    partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    compression: fc.constantFrom(CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd),
    timestampType: fc.constantFrom(TimestampType.CreateTime, TimestampType.LogAppendTime),
    transactional: fc.boolean(),
    control: fc.boolean(),
    producerId: fc.integer({ min: -1, max: 2 ** 52 }),
    producerEpoch: fc.integer({ min: -1, max: 2 ** 15 - 1 }),
    baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    baseTimestamp,
  },
  { requiredKeys: [] },
);

function hexOrNull(b: Buffer | null): string | null {
  return b === null ? null : b.toString('hex');
}

function comparable(records: { key: Buffer | null; value: Buffer | null; headers?: { key: string; value: Buffer | null }[] }[]) {
  return records.map((r) => ({
    key: hexOrNull(r.key),
    value: hexOrNull(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: hexOrNull(h.value) })),
  }));
}

describe('decodeBatch(encodeBatch(x))', () => {
  it('gives back the records, offsets, timestamps and header fields', () => {
    withSeed('batch round trip', (seed) =>
      fc.assert(
        fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), options, (records, opts) => {
          const buf = encodeBatch(records, opts);
          const batch = decodeBatch(buf);
          const base = opts.baseTimestamp ?? records[0].timestamp ?? batch.header.baseTimestamp;
          const timestamps = records.map((r) => r.timestamp ?? base);
          const maxTimestamp = Math.max(...timestamps);
          const logAppend = opts.timestampType === TimestampType.LogAppendTime;

          expect(comparable(batch.records)).toEqual(comparable(records));
          expect(batch.records.map((r) => r.offset)).toEqual(records.map((_, i) => (opts.baseOffset ?? 0) + i));
          expect(batch.records.map((r) => r.timestamp)).toEqual(logAppend ? timestamps.map(() => maxTimestamp) : timestamps);
          expect(batch.header).toMatchObject({
            baseOffset: opts.baseOffset ?? 0,
            partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
            producerId: opts.producerId ?? -1,
            producerEpoch: opts.producerEpoch ?? -1,
            baseSequence: opts.baseSequence ?? -1,
            baseTimestamp: base,
            maxTimestamp,
            lastOffsetDelta: records.length - 1,
            recordsCount: records.length,
            batchLength: buf.length - 12,
          });
          expect(batch.compression).toBe(opts.compression ?? CompressionType.None);
          expect(batch.timestampType).toBe(opts.timestampType ?? TimestampType.CreateTime);
          expect(batch.transactional).toBe(opts.transactional ?? false);
          expect(batch.control).toBe(opts.control ?? false);
        }),
        { seed, numRuns: 300 },
      ),
    );
  });

  it('lays batches end to end so iterateBatches finds each, all valid', () => {
    withSeed('iterate concatenated batches', (seed) =>
      fc.assert(
        fc.property(fc.array(fc.array(record, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (groups) => {
          let next = 0;
          const batches = groups.map((g) => {
            const buf = encodeBatch(g, { baseOffset: next });
            next += g.length;
            return buf;
          });
          const all = Buffer.concat(batches);
          const found = [...iterateBatches(all)];
          expect(found.map((b) => b.header.baseOffset)).toEqual(
            groups.map((_, i) => groups.slice(0, i).reduce((n, g) => n + g.length, 0)),
          );
          for (const { position } of found) validateBatch(all, position);
        }),
        { seed, numRuns: 100 },
      ),
    );
  });
});
