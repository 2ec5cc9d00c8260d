import { ATTRIBUTES_POS, CompressionType, decodeBatch, encodeBatch } from '@gregor/records';
import { expectRecordsError, reseal } from './helpers';

// As in the Docker image, where zstd-napi's install script does not run and its binary is missing.
jest.mock('zstd-napi', () => {
  throw new Error('zstd-napi binary not built');
});

const records = [{ key: null, value: Buffer.from('a value'), timestamp: 0 }];

describe('a codec whose native package cannot load', () => {
  it('leaves the package and the other codecs working', () => {
    const batch = encodeBatch(records, { compression: CompressionType.Snappy });
    expect(decodeBatch(batch).records[0].value?.toString()).toBe('a value');
  });

  it('is UNSUPPORTED_COMPRESSION when a batch needs it, both ways', () => {
    const err = expectRecordsError(() => encodeBatch(records, { compression: CompressionType.Zstd }), 'UNSUPPORTED_COMPRESSION');
    expect(err.message).toContain('zstd-napi binary not built');
    const batch = encodeBatch(records);
    batch.writeInt16BE(CompressionType.Zstd, ATTRIBUTES_POS);
    expectRecordsError(() => decodeBatch(reseal(batch)), 'UNSUPPORTED_COMPRESSION');
  });
});
