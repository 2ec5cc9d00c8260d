import fc from 'fast-check';
import { BatchBuilder, BATCH_HEADER_SIZE, CompressionType, type BuiltBatchOptions, type Record, encodeBatch } from '@gregor/records';
import { expectRecordsError, withSeed } from './helpers';

const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const nullableBytes = fc.option(bytes, { nil: null });
const record: fc.Arbitrary<Required<Record>> = fc.record({
  key: nullableBytes,
  value: nullableBytes,
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 8 }), value: nullableBytes }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 46 }),
});
const options: fc.Arbitrary<BuiltBatchOptions> = fc.record(
  {
    producerId: fc.integer({ min: -1, max: 2 ** 52 }),
    producerEpoch: fc.integer({ min: -1, max: 2 ** 15 - 1 }),
    baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  },
  { requiredKeys: [] },
);

function build(records: Required<Record>[], compression: CompressionType, opts: BuiltBatchOptions, headroom: number): Buffer {
  const builder = new BatchBuilder(Buffer.alloc(headroom + 64 * 1024, 0xee), headroom, compression);
  for (const r of records) expect(builder.tryAppend(r.key, r.value, r.headers, r.timestamp)).toBeGreaterThan(0);
  const { frame, start, end } = builder.finish(opts);
  expect(start).toBe(headroom);
  return frame.subarray(start, end);
}

describe('BatchBuilder', () => {
  it('writes the same bytes as encodeBatch for the same records, uncompressed and with every codec', () => {
    withSeed('batch builder', (seed) =>
      fc.assert(
        fc.property(
          fc.array(record, { minLength: 1, maxLength: 20 }),
          options,
          fc.constantFrom(CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd),
          fc.integer({ min: 0, max: 300 }),
          (records, opts, compression, headroom) => {
            const built = build(records, compression, opts, headroom);
            expect(built.equals(encodeBatch(records, { ...opts, compression }))).toBe(true);
          },
        ),
        { seed, numRuns: 300 },
      ),
    );
  });

  it('refuses a record that does not fit, leaving the batch as it was', () => {
    const buffer = Buffer.alloc(BATCH_HEADER_SIZE + 40);
    const builder = new BatchBuilder(buffer, 0);
    const small = Buffer.alloc(10, 1);
    expect(builder.tryAppend(null, small, undefined, 1000)).toBe(BatchBuilder.firstRecordSize(null, small, undefined));
    expect(builder.freeBytes).toBe(40 - BatchBuilder.firstRecordSize(null, small, undefined));
    const before = Buffer.from(buffer);
    expect(builder.tryAppend(null, Buffer.alloc(30), undefined, 1001)).toBe(0);
    expect(buffer.equals(before)).toBe(true);
    expect(builder.recordCount).toBe(1);
    const { frame, start, end } = builder.finish();
    expect(frame.subarray(start, end).equals(encodeBatch([{ key: null, value: small, timestamp: 1000 }]))).toBe(true);
  });

  it('rejects an empty batch, a timestamp that is not an integer and a start past the buffer', () => {
    expectRecordsError(() => new BatchBuilder(Buffer.alloc(100), 0).finish(), 'INVALID_ARGUMENT');
    expectRecordsError(() => new BatchBuilder(Buffer.alloc(100), 0).tryAppend(null, null, undefined, 1.5), 'INVALID_ARGUMENT');
    expectRecordsError(() => new BatchBuilder(Buffer.alloc(100), 50), 'INVALID_ARGUMENT');
  });
});
