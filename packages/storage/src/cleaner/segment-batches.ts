import { BATCH_HEADER_SIZE, BATCH_LENGTH_POS, LOG_OVERHEAD } from '@gregor/records';
import type { LogSegment } from '../segment';
import type { IoThrottle } from './io-throttle';

const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The batches of a sealed segment, each as its own slice, read in chunks through `throttle`.
 * Framing is checked here; CRCs are checked by whoever decodes the batch.
 */
export async function* segmentBatches(segment: LogSegment, throttle: IoThrottle): AsyncGenerator<Buffer> {
  const size = segment.size;
  let position = 0;
  let carry: Buffer | null = null;
  while (position < size) {
    const length = Math.min(READ_CHUNK_BYTES, size - position);
    await throttle.take(length);
    const chunk = await segment.read(position, length);
    if (chunk.length < length) throw segment.corruptAt(position + chunk.length, 'segment shorter than its size');
    const bytes: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const bytesStart = position - (carry?.length ?? 0);
    let at = 0;
    while (bytes.length - at >= LOG_OVERHEAD) {
      const batchBytes = LOG_OVERHEAD + bytes.readInt32BE(at + BATCH_LENGTH_POS);
      if (batchBytes < BATCH_HEADER_SIZE) throw segment.corruptAt(bytesStart + at, `batch length ${batchBytes}`);
      if (at + batchBytes > bytes.length) break;
      yield bytes.subarray(at, at + batchBytes);
      at += batchBytes;
    }
    carry = at < bytes.length ? bytes.subarray(at) : null;
    position += length;
  }
  if (carry) throw segment.corruptAt(size - carry.length, 'a batch runs past the end of the segment');
}
