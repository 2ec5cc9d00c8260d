import type * as Snappy from 'snappy';
import type { CompressionCodec } from './compression';
import { decompressedTooLarge, RecordsError } from './errors';
import { lazyCodec } from './lazy-codec';

/**
 * snappy-java's stream framing, which Kafka's Java client writes and every Kafka client reads: this magic, a
 * version and a compatible version (int32 BE each), then blocks of an int32 BE length and one raw snappy block.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** snappy-java's default block size, so our batches look like a Java client's. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function corrupt(message: string): RecordsError {
  return new RecordsError('INVALID_RECORD', `snappy: ${message}`);
}

/** A raw snappy block starts with its uncompressed length as a little-endian base-128 varint of at most 32 bits. */
function uncompressedLength(block: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return value;
  }
  throw corrupt('block has no valid length preamble');
}

function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER.length && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** The raw blocks of a xerial-framed stream, after checking that they tile it exactly. */
function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER.length;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw corrupt('truncated block length');
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length) throw corrupt(`block of ${length} bytes overruns the stream`);
    blocks.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

function decompressBlocks(snappy: typeof Snappy, blocks: Buffer[], maxOutputBytes: number): Buffer {
  let total = 0;
  for (const block of blocks) total += uncompressedLength(block);
  if (total > maxOutputBytes) throw decompressedTooLarge(maxOutputBytes);
  const out = blocks.map((block) => snappy.uncompressSync(block, { asBuffer: true }) as Buffer);
  return out.length === 1 ? out[0] : Buffer.concat(out, total);
}

/**
 * Writes the xerial framing, which Java consumers require; reads it and plain raw snappy, which some non-Java
 * clients send. The length preambles bound the output before anything is inflated.
 */
export const snappyCodec: CompressionCodec = lazyCodec('snappy', () => {
  const snappy = require('snappy') as typeof Snappy;
  return {
    compress(data) {
      const parts: Buffer[] = [XERIAL_HEADER];
      for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
        const block = snappy.compressSync(data.subarray(pos, pos + XERIAL_BLOCK_SIZE));
        const length = Buffer.allocUnsafe(4);
        length.writeInt32BE(block.length, 0);
        parts.push(length, block);
      }
      return Buffer.concat(parts);
    },
    decompress(data, maxOutputBytes = Infinity) {
      return decompressBlocks(snappy, isXerialFramed(data) ? xerialBlocks(data) : [data], maxOutputBytes);
    },
  };
});
