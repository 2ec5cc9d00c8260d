import {
  ATTRIBUTES_POS,
  BATCH_HEADER_SIZE,
  CompressionType,
  TimestampType,
  decodeBatch,
  encodeBatch,
} from '@gregor/records';
import { expectRecordsError, reseal } from './helpers';

const records = [
  { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: 1000, headers: [{ key: 'é', value: null }] },
  { key: null, value: null, timestamp: 990 },
  { key: Buffer.alloc(0), value: Buffer.alloc(300, 7), timestamp: 1000 + 2 ** 33 },
];

describe('decodeBatch', () => {
  it('returns offsets, timestamps, keys, values and headers as encoded', () => {
    const batch = decodeBatch(encodeBatch(records, { baseOffset: 2 ** 35 }));
    expect(batch).toMatchObject({
      compression: CompressionType.None,
      timestampType: TimestampType.CreateTime,
      transactional: false,
      control: false,
    });
    expect(batch.records.map((r) => r.offset)).toEqual([2 ** 35, 2 ** 35 + 1, 2 ** 35 + 2]);
    expect(batch.records.map((r) => r.timestamp)).toEqual([1000, 990, 1000 + 2 ** 33]);
    expect(batch.records[0].headers).toEqual([{ key: 'é', value: null }]);
    expect(batch.records[1]).toMatchObject({ key: null, value: null, headers: [] });
    expect(batch.records[2].key?.length).toBe(0);
    expect(batch.records[2].value?.equals(Buffer.alloc(300, 7))).toBe(true);
  });

  it('decodes a batch at a position inside a larger buffer', () => {
    const buf = Buffer.concat([Buffer.alloc(7), encodeBatch(records, { baseOffset: 3 }), Buffer.alloc(2)]);
    expect(decodeBatch(buf, 7).records[0].offset).toBe(3);
  });

  it('gives every record the batch maxTimestamp under LogAppendTime', () => {
    const batch = decodeBatch(encodeBatch(records, { timestampType: TimestampType.LogAppendTime }));
    expect(batch.timestampType).toBe(TimestampType.LogAppendTime);
    expect(batch.records.map((r) => r.timestamp)).toEqual([1000 + 2 ** 33, 1000 + 2 ** 33, 1000 + 2 ** 33]);
  });

  it('reports the transactional and control flags', () => {
    const batch = decodeBatch(encodeBatch(records, { transactional: true, control: true }));
    expect(batch.transactional).toBe(true);
    expect(batch.control).toBe(true);
  });

  it('checks the CRC', () => {
    const buf = encodeBatch(records);
    buf[buf.length - 1] ^= 0xff;
    expectRecordsError(() => decodeBatch(buf), 'CORRUPT_BATCH');
  });

  it('rejects bytes left over after the declared records', () => {
    const buf = reseal(Buffer.concat([encodeBatch(records), Buffer.from([0])]));
    expectRecordsError(() => decodeBatch(buf), 'INVALID_RECORD');
  });

  it('rejects records cut short', () => {
    const full = encodeBatch(records);
    const buf = reseal(Buffer.from(full.subarray(0, full.length - 5)));
    expectRecordsError(() => decodeBatch(buf), 'INVALID_RECORD');
  });

  it('rejects a record whose fields overrun its declared length', () => {
    const buf = encodeBatch([{ key: null, value: Buffer.from('abc'), timestamp: 0 }]);
    buf[BATCH_HEADER_SIZE] -= 2; // length varint 9 -> 8
    expectRecordsError(() => decodeBatch(reseal(buf)), 'INVALID_RECORD');
  });

  it('rejects a negative field length other than -1', () => {
    const buf = encodeBatch([{ key: null, value: null, timestamp: 0 }]);
    buf[BATCH_HEADER_SIZE + 4] = 0x03; // keyLength -1 -> -2
    expectRecordsError(() => decodeBatch(reseal(buf)), 'INVALID_RECORD');
  });

  it('rejects a compression id beyond Kafka\'s four codecs', () => {
    const buf = encodeBatch(records);
    buf.writeInt16BE(5, ATTRIBUTES_POS);
    expectRecordsError(() => decodeBatch(reseal(buf)), 'UNSUPPORTED_COMPRESSION');
  });
});
