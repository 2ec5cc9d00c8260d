import { CompressionType } from './attributes';
import { RecordsError } from './errors';
import { gzipCodec } from './gzip-codec';
import { lz4Codec } from './lz4-codec';
import { snappyCodec } from './snappy-codec';
import { zstdCodec } from './zstd-codec';

/**
 * Compresses or restores the records section of a batch as a whole, synchronously. `maxOutputBytes`, when given,
 * lets a codec stop early on a decompression bomb; the decoder checks the output size either way.
 */
export interface CompressionCodec {
  compress(data: Buffer): Buffer;
  decompress(data: Buffer, maxOutputBytes?: number): Buffer;
}

/** All four of Kafka's codecs, in the framings Kafka clients write, so any Kafka producer's batches decode. */
const codecs = new Map<CompressionType, CompressionCodec>([
  [CompressionType.Gzip, gzipCodec],
  [CompressionType.Snappy, snappyCodec],
  [CompressionType.Lz4, lz4Codec],
  [CompressionType.Zstd, zstdCodec],
]);

/** Installs the codec for a compression type, replacing the built-in one (say, to tune a level). */
export function registerCompressionCodec(type: CompressionType, codec: CompressionCodec): void {
  if (type === CompressionType.None || !(type in CompressionType)) {
    throw new RecordsError('INVALID_ARGUMENT', `cannot register a codec for compression type ${type}`);
  }
  codecs.set(type, codec);
}

export function codecFor(type: CompressionType): CompressionCodec {
  const codec = codecs.get(type);
  if (codec === undefined) {
    throw new RecordsError('UNSUPPORTED_COMPRESSION', `no codec registered for compression type ${type}`);
  }
  return codec;
}
