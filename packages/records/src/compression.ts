import { gunzipSync, gzipSync } from 'node:zlib';
import { CompressionType } from './attributes';
import { RecordsError } from './errors';

/**
 * Compresses or restores the records section of a batch as a whole, synchronously. `maxOutputBytes`, when given,
 * lets a codec stop early on a decompression bomb; the decoder checks the output size either way.
 */
export interface CompressionCodec {
  compress(data: Buffer): Buffer;
  decompress(data: Buffer, maxOutputBytes?: number): Buffer;
}

const gzipCodec: CompressionCodec = {
  compress: (data) => gzipSync(data),
  decompress: (data, maxOutputBytes) =>
    maxOutputBytes === undefined || !Number.isFinite(maxOutputBytes)
      ? gunzipSync(data)
      : gunzipSync(data, { maxOutputLength: Math.max(1, maxOutputBytes) }),
};

const codecs = new Map<CompressionType, CompressionCodec>([[CompressionType.Gzip, gzipCodec]]);

/**
 * Installs the codec for a compression type, replacing any earlier one. Snappy, LZ4 and zstd are left to callers
 * so the package needs no native dependency; to interoperate with Kafka they must use Kafka's framings
 * (xerial-framed snappy, LZ4 frame format, standard zstd frames).
 */
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
