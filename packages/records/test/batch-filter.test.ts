import { canJoinEmpty, CompressionType, decodeBatch, emptyBatch, encodeBatch, filterBatch, readBatchHeader, TimestampType, validateBatch } from '@gregor/records';

const records = ['a', 'b', 'c', 'd'].map((value, i) => ({ key: Buffer.from(`k${i % 2}`), value: value === 'c' ? null : Buffer.from(value), timestamp: 1_000 + i * 10 }));

describe('filterBatch', () => {
  const options = { baseOffset: 40, partitionLeaderEpoch: 7, producerId: 12, producerEpoch: 3, baseSequence: 5 };

  it('returns the very batch when every record stays', () => {
    const batch = encodeBatch(records, options);
    expect(filterBatch(batch, () => true)).toBe(batch);
  });

  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Lz4])('keeps offsets, timestamps, producer fields and the offset range (compression %s)', (compression) => {
    const batch = encodeBatch(records, { ...options, compression });
    const seen: Array<[number, number, string | null, boolean]> = [];
    const filtered = filterBatch(batch, (r) => {
      seen.push([r.offset, r.timestamp, r.key?.toString() ?? null, r.valueIsNull]);
      return r.offset % 2 === 1;
    });
    expect(seen).toEqual([
      [40, 1000, 'k0', false],
      [41, 1010, 'k1', false],
      [42, 1020, 'k0', true],
      [43, 1030, 'k1', false],
    ]);
    const before = readBatchHeader(batch);
    const after = validateBatch(filtered);
    expect(after).toMatchObject({
      baseOffset: 40,
      lastOffsetDelta: 3,
      partitionLeaderEpoch: 7,
      producerId: 12,
      producerEpoch: 3,
      baseSequence: 5,
      baseTimestamp: before.baseTimestamp,
      maxTimestamp: before.maxTimestamp,
      attributes: before.attributes,
      recordsCount: 2,
    });
    expect(decodeBatch(filtered).records.map((r) => [r.offset, r.timestamp, r.value?.toString()])).toEqual([
      [41, 1010, 'b'],
      [43, 1030, 'd'],
    ]);
  });

  it('leaves a valid header-only batch, uncompressed, when no record stays', () => {
    const batch = encodeBatch(records, { ...options, compression: CompressionType.Gzip, timestampType: TimestampType.LogAppendTime });
    const empty = filterBatch(batch, () => false);
    expect(empty.length).toBe(61);
    const decoded = decodeBatch(empty);
    expect(decoded.compression).toBe(CompressionType.None);
    expect(decoded.timestampType).toBe(TimestampType.LogAppendTime);
    expect(decoded.records).toEqual([]);
    expect(decoded.header).toMatchObject({ baseOffset: 40, lastOffsetDelta: 3, recordsCount: 0 });
  });

  it('refuses a corrupt batch instead of rewriting it', () => {
    const batch = encodeBatch(records, options);
    batch[batch.length - 1] ^= 0xff;
    expect(() => filterBatch(batch, () => false)).toThrow(/crc/i);
  });
});

describe('record-less batches', () => {
  const emptied = (baseOffset: number, options: { producerId?: number; epoch?: number } = {}) =>
    readBatchHeader(filterBatch(encodeBatch(records, { baseOffset, partitionLeaderEpoch: options.epoch ?? 3, producerId: options.producerId ?? -1, producerEpoch: options.producerId === undefined ? -1 : 0, baseSequence: options.producerId === undefined ? -1 : 0 }), () => false));

  it('join when neighbours of one term without a producer, and not otherwise', () => {
    expect(canJoinEmpty(emptied(0), emptied(4))).toBe(true);
    expect(canJoinEmpty(emptied(0), emptied(5))).toBe(false);
    expect(canJoinEmpty(emptied(0), emptied(4, { epoch: 4 }))).toBe(false);
    expect(canJoinEmpty(emptied(0, { producerId: 9 }), emptied(4))).toBe(false);
    expect(canJoinEmpty(readBatchHeader(encodeBatch(records, { partitionLeaderEpoch: 3 })), emptied(4))).toBe(false);
  });

  it('cover any range given, as a valid batch of no records', () => {
    const joined = validateBatch(emptyBatch(emptied(0), 2, 9));
    expect(joined).toMatchObject({ baseOffset: 2, lastOffsetDelta: 7, recordsCount: 0, partitionLeaderEpoch: 3 });
    expect(() => emptyBatch(readBatchHeader(encodeBatch(records)), 0, 3)).toThrow(/holds 4 records/);
  });
});
