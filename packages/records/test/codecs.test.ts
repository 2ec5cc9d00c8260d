import {
  ATTRIBUTES_POS,
  BATCH_HEADER_SIZE,
  COMPRESSION_NAMES,
  CompressionType,
  compressionTypeNamed,
  decodeBatch,
  encodeBatch,
  type Record,
} from '@gregor/records';
import { uncompressSync } from 'snappy';
import { expectRecordsError, reseal } from './helpers';

/** Enough records for several 32 KiB xerial blocks and 64 KiB LZ4 blocks. */
const records: Record[] = Array.from({ length: 2000 }, (_, i) => ({
  key: Buffer.from(`key-${i % 50}`),
  value: Buffer.from(`{"id":${i},"user":"user-${i % 97}","event":"click","path":"/products/${(i * 7919) % 20000}"}`),
  headers: [{ key: 'trace', value: Buffer.from(String(i)) }],
  timestamp: 1_700_000_000_000 + i,
}));
const plain = encodeBatch(records);
const plainSection = plain.subarray(BATCH_HEADER_SIZE);

function section(batch: Buffer): Buffer {
  return batch.subarray(BATCH_HEADER_SIZE);
}

/** `plain` with its records section swapped for `compressed`, flagged with `type`. */
function withSection(type: CompressionType, compressed: Buffer): Buffer {
  const batch = Buffer.concat([plain.subarray(0, BATCH_HEADER_SIZE), compressed]);
  batch.writeInt16BE(type, ATTRIBUTES_POS);
  return reseal(batch);
}

describe.each([
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
])('%s', (_name, type) => {
  const compressed = encodeBatch(records, { compression: type });

  it('is built in: a batch compresses, says so in its attributes, and decodes to the same records', () => {
    expect(compressed.readInt16BE(ATTRIBUTES_POS) & 0x07).toBe(type);
    expect(compressed.length).toBeLessThan(plain.length / 2);
    const decoded = decodeBatch(compressed);
    expect(decoded.compression).toBe(type);
    expect(decoded.records).toEqual(decodeBatch(plain).records);
  });

  it('rejects a records section that is not in its format', () => {
    expectRecordsError(() => decodeBatch(withSection(type, Buffer.from(plainSection))), 'INVALID_RECORD');
  });

  it('refuses to inflate beyond maxDecompressedBytes', () => {
    expectRecordsError(() => decodeBatch(compressed, 0, plainSection.length - 1), 'BATCH_TOO_LARGE');
    expect(decodeBatch(compressed, 0, plainSection.length).records).toHaveLength(records.length);
  });
});

describe('snappy framing', () => {
  const compressed = section(encodeBatch(records, { compression: CompressionType.Snappy }));

  /** Splits a xerial stream into its raw blocks. */
  function blocksOf(stream: Buffer): Buffer[] {
    const blocks: Buffer[] = [];
    for (let pos = 16; pos < stream.length; pos += 4 + stream.readInt32BE(pos)) {
      blocks.push(stream.subarray(pos + 4, pos + 4 + stream.readInt32BE(pos)));
    }
    return blocks;
  }

  it("writes snappy-java's stream: magic, version 1, compatible version 1, 32 KiB raw blocks", () => {
    expect(compressed.subarray(0, 16).toString('hex')).toBe('82534e415050590000000001' + '00000001');
    const inflated = blocksOf(compressed).map((block) => uncompressSync(block, { asBuffer: true }) as Buffer);
    expect(inflated.length).toBe(Math.ceil(plainSection.length / 32768));
    expect(inflated.slice(0, -1).every((block) => block.length === 32768)).toBe(true);
    expect(Buffer.concat(inflated).equals(plainSection)).toBe(true);
  });

  it('refuses a block whose length preamble is over the limit before inflating it', () => {
    const bomb = Buffer.concat([compressed.subarray(0, 16), Buffer.from('00000006' + 'ffffffff0f00', 'hex')]);
    expectRecordsError(() => decodeBatch(withSection(CompressionType.Snappy, bomb), 0, 1 << 20), 'BATCH_TOO_LARGE');
  });

  it('rejects a block that runs past the end of the stream', () => {
    const truncated = compressed.subarray(0, compressed.length - 1);
    expectRecordsError(() => decodeBatch(withSection(CompressionType.Snappy, truncated)), 'INVALID_RECORD');
  });
});

describe('lz4 framing', () => {
  it("writes an LZ4 frame of independent blocks without checksums or content size, which Kafka's Java client reads", () => {
    const compressed = section(encodeBatch(records, { compression: CompressionType.Lz4 }));
    // magic 0x184D2204 (little-endian), then FLG: version 01, independent blocks, no optional fields
    expect(compressed.subarray(0, 5).toString('hex')).toBe('04224d18' + '60');
    // BD: a maximum block size of 64 KiB, 256 KiB, 1 MiB or 4 MiB, all of which it reads
    expect([0x40, 0x50, 0x60, 0x70]).toContain(compressed[5]);
  });
});

describe('zstd framing', () => {
  it('refuses a frame that declares a content size over the limit before allocating it', () => {
    // magic, FHD: 8-byte content size in a single segment, then 2^40 as that size
    const forged = Buffer.from('28b52ffd' + 'e0' + '0000000000010000' + '010000', 'hex');
    expectRecordsError(() => decodeBatch(withSection(CompressionType.Zstd, forged), 0, 1 << 20), 'BATCH_TOO_LARGE');
  });
});

describe('compressionTypeNamed', () => {
  it("maps Kafka's compression.type names to codec ids and refuses any other", () => {
    expect(COMPRESSION_NAMES.map(compressionTypeNamed)).toEqual([0, 1, 2, 3, 4]);
    expectRecordsError(() => compressionTypeNamed('brotli'), 'INVALID_ARGUMENT');
  });
});
