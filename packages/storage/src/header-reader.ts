import * as fs from 'node:fs';
import { BATCH_HEADER_SIZE, BatchHeader, LOG_OVERHEAD, readBatchHeader } from '@gregor/records';
import { StorageError } from './errors';

/**
 * Small enough that a segment of large batches is not read whole (one read per batch header),
 * large enough that one of small batches takes a read per ~64 headers, not one each.
 */
const CHUNK_BYTES = 64 * 1024;

/** Headers of the batches from `position` to `fileSize`, read without CRC checks. */
export function* readHeaders(fd: number, fileSize: number, position: number): Generator<BatchHeader> {
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let chunkStart = 0;
  let chunkLength = 0;
  while (position + BATCH_HEADER_SIZE <= fileSize) {
    if (position < chunkStart || position + BATCH_HEADER_SIZE > chunkStart + chunkLength) {
      chunkStart = position;
      chunkLength = fs.readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, fileSize - position), position);
      if (chunkLength < BATCH_HEADER_SIZE) return;
    }
    const header = readBatchHeader(chunk, position - chunkStart);
    const size = LOG_OVERHEAD + header.batchLength;
    // Offsets could not move on past a batch shorter than its header: the file is not what was written.
    if (size < BATCH_HEADER_SIZE) throw new StorageError('CORRUPT_LOG', `impossible batch length at position ${position}`);
    yield header;
    position += size;
  }
}
