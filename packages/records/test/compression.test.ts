import {
  ATTRIBUTES_POS,
  BATCH_HEADER_SIZE,
  CompressionType,
  type CompressionCodec,
  decodeBatch,
  encodeBatch,
  registerCompressionCodec,
} from '@gregor/records';
import { gunzipSync } from 'node:zlib';
import { expectRecordsError, reseal } from './helpers';

const records = Array.from({ length: 50 }, (_, i) => ({
  key: Buffer.from(`key-${i}`),
  value: Buffer.from(`a fairly repetitive value number ${i} `.repeat(4)),
  headers: [{ key: 'trace', value: Buffer.from(String(i)) }],
  timestamp: 1_700_000_000_000 + i,
}));

function values(buf: Buffer): string[] {
  return decodeBatch(buf).records.map((r) => r.value?.toString() ?? '');
}

describe('gzip', () => {
  const plain = encodeBatch(records);
  const gzipped = encodeBatch(records, { compression: CompressionType.Gzip });

  it('compresses the records section as one gzip stream behind an unchanged header layout', () => {
    expect(gzipped.readInt16BE(ATTRIBUTES_POS) & 0x07).toBe(CompressionType.Gzip);
    expect(gzipped.length).toBeLessThan(plain.length);
    const section = gunzipSync(gzipped.subarray(BATCH_HEADER_SIZE));
    expect(section.equals(plain.subarray(BATCH_HEADER_SIZE))).toBe(true);
  });

  it('decodes to the same records as the uncompressed batch', () => {
    const decoded = decodeBatch(gzipped);
    expect(decoded.compression).toBe(CompressionType.Gzip);
    expect(values(gzipped)).toEqual(values(plain));
    expect(decoded.records[49].headers).toEqual([{ key: 'trace', value: Buffer.from('49') }]);
  });

  it('refuses to inflate beyond maxDecompressedBytes', () => {
    const bomb = encodeBatch([{ key: null, value: Buffer.alloc(4 << 20), timestamp: 0 }], {
      compression: CompressionType.Gzip,
    });
    expect(bomb.length).toBeLessThan(16 << 10);
    expectRecordsError(() => decodeBatch(bomb, 0, 1 << 20), 'BATCH_TOO_LARGE');
    expect(decodeBatch(bomb, 0, 5 << 20).records[0].value?.length).toBe(4 << 20);
  });

  it('rejects a records section that is not gzip', () => {
    const buf = Buffer.from(plain);
    buf.writeInt16BE(CompressionType.Gzip, ATTRIBUTES_POS);
    expectRecordsError(() => decodeBatch(reseal(buf)), 'INVALID_RECORD');
  });
});

describe('registerCompressionCodec', () => {
  const reversing: CompressionCodec = {
    compress: (data) => Buffer.from(data).reverse(),
    decompress: (data) => Buffer.from(data).reverse(),
  };

  it('replaces the built-in codec of a compression type', () => {
    registerCompressionCodec(CompressionType.Snappy, reversing);
    const buf = encodeBatch(records, { compression: CompressionType.Snappy });
    expect(buf.readInt16BE(ATTRIBUTES_POS) & 0x07).toBe(CompressionType.Snappy);
    expect(values(buf)).toEqual(values(encodeBatch(records)));
  });

  it('enforces maxDecompressedBytes even on a codec that ignores the hint', () => {
    registerCompressionCodec(CompressionType.Lz4, reversing);
    const buf = encodeBatch(records, { compression: CompressionType.Lz4 });
    expectRecordsError(() => decodeBatch(buf, 0, 100), 'BATCH_TOO_LARGE');
  });

  it('refuses a codec for "none" or an unknown type', () => {
    expectRecordsError(() => registerCompressionCodec(CompressionType.None, reversing), 'INVALID_ARGUMENT');
    expectRecordsError(() => registerCompressionCodec(7 as CompressionType, reversing), 'INVALID_ARGUMENT');
  });
});
