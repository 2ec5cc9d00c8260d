import { CompressionType, decodeBatch } from '@gregor/records';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Batches compressed by the reference C libraries (Debian's python3-snappy, python3-lz4, python3-zstandard) in
 * the framings Kafka clients use, written by fixtures/make-fixtures.py without any of Gregor's code.
 */
const EVENTS = ['page_view', 'click', 'add_to_cart', 'checkout', 'search'];
const expected = Array.from({ length: 1500 }, (_, i) => ({
  offset: i,
  timestamp: 1_700_000_000_000 + i,
  key: `key-${i % 50}`,
  value: `{"id":${i},"user":"user-${i % 97}","event":"${EVENTS[i % 5]}","path":"/products/${(i * 7919) % 20000}"}`,
}));

describe.each([
  ['gzip.bin', CompressionType.Gzip],
  ['snappy-xerial.bin', CompressionType.Snappy],
  ['snappy-raw.bin', CompressionType.Snappy],
  ['lz4-independent.bin', CompressionType.Lz4],
  ['lz4-linked-checksummed.bin', CompressionType.Lz4],
  ['zstd-sized.bin', CompressionType.Zstd],
  ['zstd-streamed.bin', CompressionType.Zstd],
])('%s', (file, type) => {
  it('decodes to the records the reference libraries compressed', () => {
    const batch = decodeBatch(readFileSync(join(__dirname, 'fixtures', file)));
    expect(batch.compression).toBe(type);
    const got = batch.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key?.toString(), value: r.value?.toString() }));
    expect(got).toEqual(expected);
  });
});
