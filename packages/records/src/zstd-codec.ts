import type * as Zstd from 'zstd-napi';
import type * as ZstdBinding from 'zstd-napi/binding';
import type { CompressionCodec } from './compression';
import { decompressedTooLarge } from './errors';
import { lazyCodec } from './lazy-codec';

/** Kafka's default zstd level (compression.zstd.level). */
const ZSTD_LEVEL = 3;

/**
 * Standard zstd frames. zstd-napi allocates a frame's declared content size up front, so a declared size over
 * the limit is refused before a forged header can make it allocate that much.
 */
export const zstdCodec: CompressionCodec = lazyCodec('zstd', () => {
  const { compress, decompress } = require('zstd-napi') as typeof Zstd;
  const { getFrameContentSize } = require('zstd-napi/binding') as typeof ZstdBinding;
  return {
    compress: (data) => compress(data, { compressionLevel: ZSTD_LEVEL }),
    decompress(data, maxOutputBytes = Infinity) {
      const declared = getFrameContentSize(data);
      if (declared !== null && declared > maxOutputBytes) throw decompressedTooLarge(maxOutputBytes);
      return decompress(data);
    },
  };
});
