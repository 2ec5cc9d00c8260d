import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C (Castagnoli), as Kafka uses for RecordBatch v2. Backed by a native SIMD implementation because it runs
 * over every produced byte. `initial` continues a previous result, so a checksum can be computed in pieces.
 */
export function crc32c(data: Uint8Array, initial?: number): number {
  return nativeCrc32c(data, initial);
}
