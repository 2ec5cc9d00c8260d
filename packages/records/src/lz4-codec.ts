import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import type { CompressionCodec } from './compression';

/**
 * Kafka's lz4 is the LZ4 frame format (not raw blocks). lz4-napi writes independent blocks without checksums
 * or content size, which Kafka's Java client reads, and reads any frame (linked blocks, checksums).
 * Frames rarely declare their size, so the decoder bounds the output only after inflating (at most 255:1).
 */
export const lz4Codec: CompressionCodec = {
  compress: (data) => compressFrameSync(data),
  decompress: (data) => decompressFrameSync(data),
};
