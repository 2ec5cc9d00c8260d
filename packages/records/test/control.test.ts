import {
  ControlRecordType,
  decodeBatch,
  encodeControlBatch,
  isControlBatch,
  readBatchHeader,
  readControlRecordType,
} from '@gregor/records';
import { expectRecordsError } from './helpers';

describe('control batches', () => {
  it('encodes a leader no-op as a one-record control batch with a versioned type key', () => {
    const buf = encodeControlBatch('leader-noop', null, { baseOffset: 9, partitionLeaderEpoch: 4, baseTimestamp: 50 });
    expect(isControlBatch(readBatchHeader(buf).attributes)).toBe(true);
    const batch = decodeBatch(buf);
    expect(batch.control).toBe(true);
    expect(batch.header.partitionLeaderEpoch).toBe(4);
    expect(batch.records).toHaveLength(1);
    const [record] = batch.records;
    expect(record.offset).toBe(9);
    expect(record.key?.toString('hex')).toBe('00004701');
    expect(readControlRecordType(record.key)).toBe(ControlRecordType.LeaderNoop);
    expect(record.value).toBeNull();
  });

  it('carries a config payload as the record value', () => {
    const payload = Buffer.from('voters=1,2,3');
    const [record] = decodeBatch(encodeControlBatch('config', payload)).records;
    expect(readControlRecordType(record.key)).toBe(ControlRecordType.Config);
    expect(record.value?.equals(payload)).toBe(true);
  });

  it('keeps the control flag even if the caller passes control: false', () => {
    const buf = encodeControlBatch('config', null, { control: false });
    expect(isControlBatch(readBatchHeader(buf).attributes)).toBe(true);
  });

  it('distinguishes data batches', () => {
    expect(isControlBatch(0)).toBe(false);
    expect(isControlBatch(0x20)).toBe(true);
  });

  it('rejects a key too short to hold a control type', () => {
    expectRecordsError(() => readControlRecordType(Buffer.from([0, 0, 1])), 'INVALID_RECORD');
    expectRecordsError(() => readControlRecordType(null), 'INVALID_RECORD');
  });
});
