import type * as Lz4 from 'lz4-napi';
import type { CompressionCodec } from './compression';
import { lazyCodec } from './lazy-codec';

/**
 * Kafka's lz4 is the LZ4 frame format (not raw blocks). lz4-napi writes independent blocks without checksums
 * or content size, which Kafka's Java client reads, and reads any frame (linked blocks, checksums).
 * Frames rarely declare their size, so the decoder bounds the output only after inflating (at most 255:1).
 */
export const lz4Codec: CompressionCodec = lazyCodec('lz4', () => {
  const lz4 = require('lz4-napi') as typeof Lz4;
  return { compress: (data) => lz4.compressFrameSync(data), decompress: (data) => lz4.decompressFrameSync(data) };
});
