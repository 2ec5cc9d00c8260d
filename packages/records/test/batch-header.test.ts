import {
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_POS,
  CRC_POS,
  LAST_OFFSET_DELTA_POS,
  LOG_OVERHEAD,
  MAGIC_POS,
  RECORDS_COUNT_POS,
  batchSize,
  crc32c,
  encodeBatch,
  readBatchHeader,
  validateSingleBatch,
  setBaseOffset,
  setLogAppendTime,
  decodeBatch,
  TimestampType,
  setPartitionLeaderEpoch,
  validateBatch,
} from '@gregor/records';
import { expectRecordsError, reseal } from './helpers';

function sampleBatch(): Buffer {
  return encodeBatch(
    [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: 1_700_000_000_000 },
      { key: null, value: Buffer.from('v2'), timestamp: 1_700_000_000_005 },
    ],
    { baseOffset: 42, partitionLeaderEpoch: 7, producerId: 9, producerEpoch: 3, baseSequence: 11 },
  );
}

describe('readBatchHeader', () => {
  it('reads every header field the encoder wrote', () => {
    const buf = sampleBatch();
    expect(readBatchHeader(buf)).toEqual({
      baseOffset: 42,
      batchLength: buf.length - LOG_OVERHEAD,
      partitionLeaderEpoch: 7,
      magic: 2,
      crc: crc32c(buf.subarray(21)),
      attributes: 0,
      lastOffsetDelta: 1,
      baseTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_005,
      producerId: 9,
      producerEpoch: 3,
      baseSequence: 11,
      recordsCount: 2,
    });
  });

  it('reads a header at a position inside a larger buffer', () => {
    const buf = Buffer.concat([Buffer.alloc(5), sampleBatch()]);
    expect(readBatchHeader(buf, 5).baseOffset).toBe(42);
  });

  it('rejects fewer than 61 bytes', () => {
    expectRecordsError(() => readBatchHeader(sampleBatch().subarray(0, BATCH_HEADER_SIZE - 1)), 'BATCH_TOO_SHORT');
  });
});

describe('batchSize', () => {
  it('is the log overhead plus the length field', () => {
    const buf = sampleBatch();
    expect(batchSize(buf)).toBe(buf.length);
  });
});

describe('validateBatch', () => {
  it('accepts a well-formed batch and returns its header', () => {
    expect(validateBatch(sampleBatch()).recordsCount).toBe(2);
  });

  it('accepts a batch followed by other bytes', () => {
    const batch = sampleBatch();
    expect(validateBatch(Buffer.concat([Buffer.alloc(3), batch, Buffer.alloc(9)]), 3).baseOffset).toBe(42);
  });

  it('rejects fewer than 61 bytes', () => {
    expectRecordsError(() => validateBatch(Buffer.alloc(60)), 'BATCH_TOO_SHORT');
  });

  it('rejects a length field shorter than the header', () => {
    const buf = sampleBatch();
    buf.writeInt32BE(10, BATCH_LENGTH_POS);
    expectRecordsError(() => validateBatch(buf), 'BATCH_TOO_SHORT');
  });

  it('rejects a length field beyond the bytes given', () => {
    const buf = sampleBatch();
    expectRecordsError(() => validateBatch(buf.subarray(0, buf.length - 1)), 'BATCH_LENGTH_MISMATCH');
  });

  it('rejects a batch larger than the limit', () => {
    const buf = sampleBatch();
    expectRecordsError(() => validateBatch(buf, 0, buf.length - 1), 'BATCH_TOO_LARGE');
    expect(validateBatch(buf, 0, buf.length).recordsCount).toBe(2);
  });

  it('rejects a magic other than 2', () => {
    const buf = sampleBatch();
    buf.writeInt8(1, MAGIC_POS);
    expectRecordsError(() => validateBatch(buf), 'INVALID_MAGIC');
  });

  it('rejects a flipped bit anywhere under the CRC', () => {
    const buf = sampleBatch();
    for (let pos = 21; pos < buf.length; pos++) {
      const copy = Buffer.from(buf);
      copy[pos] ^= 0x01;
      expectRecordsError(() => validateBatch(copy), 'CORRUPT_BATCH');
    }
  });

  it('rejects a wrong CRC', () => {
    const buf = sampleBatch();
    buf.writeUInt32BE((buf.readUInt32BE(CRC_POS) + 1) >>> 0, CRC_POS);
    expectRecordsError(() => validateBatch(buf), 'CORRUPT_BATCH');
  });

  it('rejects a negative lastOffsetDelta', () => {
    const buf = sampleBatch();
    buf.writeInt32BE(-1, LAST_OFFSET_DELTA_POS);
    reseal(buf);
    expectRecordsError(() => validateBatch(buf), 'INVALID_BATCH');
  });

  it('rejects a recordsCount past what lastOffsetDelta holds', () => {
    const buf = sampleBatch();
    buf.writeInt32BE(3, RECORDS_COUNT_POS);
    reseal(buf);
    expectRecordsError(() => validateBatch(buf), 'INVALID_BATCH');
  });

  it('takes a stored batch with fewer records than offsets (compacted), but not as a produced one', () => {
    const buf = sampleBatch();
    buf.writeInt32BE(1, RECORDS_COUNT_POS);
    reseal(buf);
    expect(validateBatch(buf).recordsCount).toBe(1);
    expectRecordsError(() => validateSingleBatch(buf), 'INVALID_BATCH');
  });
});

describe('setBaseOffset and setPartitionLeaderEpoch', () => {
  it('stamp fields outside the CRC so the batch stays valid', () => {
    const buf = Buffer.concat([Buffer.alloc(4), sampleBatch()]);
    setBaseOffset(buf, 4, 2 ** 40 + 17);
    setPartitionLeaderEpoch(buf, 4, 123);
    const header = validateBatch(buf, 4);
    expect(header.baseOffset).toBe(2 ** 40 + 17);
    expect(header.partitionLeaderEpoch).toBe(123);
  });
});

describe('setLogAppendTime', () => {
  it('sets the timestamp type and maxTimestamp and reseals the CRC', () => {
    const buf = Buffer.concat([Buffer.alloc(2), sampleBatch()]);
    setLogAppendTime(buf, 2, 1_800_000_000_000);
    const batch = decodeBatch(buf, 2);
    expect(batch.timestampType).toBe(TimestampType.LogAppendTime);
    expect(batch.header.maxTimestamp).toBe(1_800_000_000_000);
    expect(batch.records.map((r) => r.timestamp)).toEqual([1_800_000_000_000, 1_800_000_000_000]);
  });

  it('refuses a batch whose length field runs past the bytes given', () => {
    const buf = sampleBatch();
    expectRecordsError(() => setLogAppendTime(buf.subarray(0, buf.length - 1), 0, 1), 'BATCH_LENGTH_MISMATCH');
  });
});

describe('validateSingleBatch', () => {
  it('accepts exactly one batch and refuses trailing bytes that a log would misread', () => {
    const buf = sampleBatch();
    expect(validateSingleBatch(buf).batchLength).toBe(buf.length - LOG_OVERHEAD);
    expectRecordsError(() => validateSingleBatch(Buffer.concat([buf, Buffer.alloc(12, 0xff)])), 'INVALID_BATCH');
    expectRecordsError(() => validateSingleBatch(buf, buf.length - 1), 'BATCH_TOO_LARGE');
  });
});
