import {
  ATTRIBUTES_POS,
  BATCH_HEADER_SIZE,
  CompressionType,
  RecordsError,
  TimestampType,
  encodeBatch,
  readBatchHeader,
  validateBatch,
} from '@gregor/records';
import { expectRecordsError } from './helpers';

describe('encodeBatch', () => {
  it('defaults to baseOffset 0, no producer, no leader epoch, and the first record time as base', () => {
    const header = readBatchHeader(
      encodeBatch([
        { key: null, value: Buffer.from('x'), timestamp: 5000 },
        { key: null, value: Buffer.from('y'), timestamp: 4000 },
      ]),
    );
    expect(header).toMatchObject({
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      baseTimestamp: 5000,
      maxTimestamp: 5000,
      lastOffsetDelta: 1,
      recordsCount: 2,
      attributes: 0,
    });
  });

  it('gives records without a timestamp the base timestamp', () => {
    const header = readBatchHeader(encodeBatch([{ key: null, value: null }], { baseTimestamp: 77 }));
    expect(header.baseTimestamp).toBe(77);
    expect(header.maxTimestamp).toBe(77);
  });

  it('sets the attribute bits for compression, timestamp type, transactional and control', () => {
    const buf = encodeBatch([{ key: null, value: Buffer.from('x'), timestamp: 1 }], {
      compression: CompressionType.Gzip,
      timestampType: TimestampType.LogAppendTime,
      transactional: true,
      control: true,
    });
    expect(buf.readInt16BE(ATTRIBUTES_POS)).toBe(0x01 | 0x08 | 0x10 | 0x20);
    expect(validateBatch(buf).recordsCount).toBe(1);
  });

  it('writes an uncompressed batch of exactly the computed size', () => {
    const buf = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 }]);
    // record: length(1) attributes(1) tsDelta(1) offsetDelta(1) keyLen(1) key(1) valueLen(1) value(1) headers(1)
    expect(buf.length).toBe(BATCH_HEADER_SIZE + 1 + 8);
    expect(validateBatch(buf).batchLength).toBe(buf.length - 12);
  });

  it('refuses an empty batch', () => {
    expect(() => encodeBatch([])).toThrow(RecordsError);
  });
});

describe('encodeBatch option checks', () => {
  const one = [{ key: null, value: null, timestamp: 0 }];

  it.each([
    ['baseOffset', -1],
    ['baseOffset', 2 ** 53],
    ['partitionLeaderEpoch', 2 ** 31],
    ['producerId', -2],
    ['producerEpoch', 2 ** 15],
    ['baseSequence', 1.5],
    ['baseTimestamp', NaN],
    ['compression', 5],
    ['timestampType', 2],
  ])('rejects %s = %d with INVALID_ARGUMENT', (name, value) => {
    expectRecordsError(() => encodeBatch(one, { [name]: value }), 'INVALID_ARGUMENT');
  });

  it('rejects a record timestamp that is not an integer', () => {
    expectRecordsError(() => encodeBatch([{ key: null, value: null, timestamp: 1.5 }], { baseTimestamp: 0 }), 'INVALID_ARGUMENT');
  });
});
