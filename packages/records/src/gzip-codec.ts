import { gunzipSync, gzipSync } from 'node:zlib';
import type { CompressionCodec } from './compression';

export const gzipCodec: CompressionCodec = {
  compress: (data) => gzipSync(data),
  decompress: (data, maxOutputBytes) =>
    maxOutputBytes === undefined || !Number.isFinite(maxOutputBytes)
      ? gunzipSync(data)
      : gunzipSync(data, { maxOutputLength: Math.max(1, maxOutputBytes) }),
};
