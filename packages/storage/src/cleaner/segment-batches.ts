import { BATCH_HEADER_SIZE, BATCH_LENGTH_POS, LOG_OVERHEAD } from '@gregor/records';
import type { LogSegment } from '../segment';
import type { IoThrottle } from './io-throttle';

/** Small enough that the work on one chunk holds the event loop for well under a millisecond or two. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The batches of a sealed segment, each as its own slice, read in chunks through `throttle`.
 * Framing is checked here; CRCs by whoever decodes the batch.
 */
export async function* segmentBatches(segment: LogSegment, throttle: IoThrottle): AsyncGenerator<Buffer> {
  const size = segment.size;
  let position = 0;
  let reading: Promise<Buffer> | null = size > 0 ? readChunk(segment, throttle, 0, size) : null;
  reading?.catch(() => undefined);
  while (reading !== null) {
    let bytes = await reading;
    const batches: Array<[number, number]> = [];
    let at = 0;
    while (bytes.length - at >= LOG_OVERHEAD) {
      const batchBytes = LOG_OVERHEAD + bytes.readInt32BE(at + BATCH_LENGTH_POS);
      if (batchBytes < BATCH_HEADER_SIZE) throw segment.corruptAt(position + at, `batch length ${batchBytes}`);
      if (position + at + batchBytes > size) throw segment.corruptAt(position + at, 'a batch runs past the end of the segment');
      // A batch larger than a chunk is read whole; one cut off by the chunk's end starts the next read.
      if (at === 0 && batchBytes > bytes.length) bytes = await segment.read(position, batchBytes);
      if (at + batchBytes > bytes.length) break;
      batches.push([at, batchBytes]);
      at += batchBytes;
    }
    if (at === 0) throw segment.corruptAt(position, 'a batch header runs past the end of the segment');
    position += at;
    // The next chunk is read while this one's batches are worked on; a caller that stops early leaves its failure unheard.
    reading = position < size ? readChunk(segment, throttle, position, size) : null;
    reading?.catch(() => undefined);
    for (const [from, length] of batches) yield bytes.subarray(from, from + length);
  }
}

async function readChunk(segment: LogSegment, throttle: IoThrottle, position: number, size: number): Promise<Buffer> {
  const length = Math.min(READ_CHUNK_BYTES, size - position);
  await throttle.take(length);
  const bytes = await segment.read(position, length);
  if (bytes.length < length) throw segment.corruptAt(position + bytes.length, 'segment shorter than its size');
  return bytes;
}
