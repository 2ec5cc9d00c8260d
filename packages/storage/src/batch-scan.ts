import * as fs from 'node:fs';
import {
  BatchHeader,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_POS,
  LOG_OVERHEAD,
  MAGIC_V2,
  RecordsError,
  readBatchHeader,
  validateBatch,
} from '@gregor/records';

/** What the storage layer needs to know of a batch: where it is and what it covers. */
export interface BatchExtent {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
  /** Fewer than the offsets it spans once compacted; 0 for a batch the cleaner emptied. */
  recordsCount: number;
}

export function extentOf(header: BatchHeader, position: number): BatchExtent {
  return {
    position,
    size: LOG_OVERHEAD + header.batchLength,
    baseOffset: header.baseOffset,
    lastOffset: header.baseOffset + header.lastOffsetDelta,
    maxTimestamp: header.maxTimestamp,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    recordsCount: header.recordsCount,
  };
}

const headerScratch = Buffer.allocUnsafe(BATCH_HEADER_SIZE);

/**
 * Reads the header of the batch at `position` without checking its CRC; null when the bytes there
 * cannot be a whole batch (past the end, a torn tail, or not magic 2).
 */
export function readExtentAt(fd: number, fileSize: number, position: number): BatchExtent | null {
  if (position + BATCH_HEADER_SIZE > fileSize) return null;
  fs.readSync(fd, headerScratch, 0, BATCH_HEADER_SIZE, position);
  const header = readBatchHeader(headerScratch, 0);
  const extent = extentOf(header, position);
  if (header.magic !== MAGIC_V2 || extent.size < BATCH_HEADER_SIZE || position + extent.size > fileSize) return null;
  return extent;
}

export interface VerifiedScan {
  /** Bytes from the start of the file up to the end of the last valid batch. */
  validBytes: number;
  /** Why scanning stopped before the end of the file, or null when every byte was a valid batch. */
  problem: string | null;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * Walks every batch of a segment file from the start, checking each batch's framing and CRC,
 * and that offsets run on from `baseOffset` without gaps; it stops at the first batch that fails:
 * everything before it is trustworthy.
 */
export function scanVerified(
  fd: number,
  fileSize: number,
  baseOffset: number,
  visit: (batch: BatchExtent) => void,
): VerifiedScan {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let chunkStart = 0;
  let chunkLength = 0;
  let position = 0;
  let expectedOffset = baseOffset;
  const ensure = (bytes: number): boolean => {
    if (position + bytes > fileSize) return false;
    if (position >= chunkStart && position + bytes <= chunkStart + chunkLength) return true;
    if (bytes > chunk.length) chunk = Buffer.allocUnsafe(bytes);
    chunkStart = position;
    chunkLength = fs.readSync(fd, chunk, 0, Math.min(chunk.length, fileSize - position), position);
    return bytes <= chunkLength;
  };
  while (position < fileSize) {
    if (!ensure(LOG_OVERHEAD)) return { validBytes: position, problem: `torn batch header at position ${position}` };
    const size = LOG_OVERHEAD + chunk.readInt32BE(position - chunkStart + BATCH_LENGTH_POS);
    if (size < BATCH_HEADER_SIZE) return { validBytes: position, problem: `impossible batch length at position ${position}` };
    if (!ensure(size)) return { validBytes: position, problem: `torn batch at position ${position}` };
    const at = position - chunkStart;
    try {
      const header = validateBatch(chunk.subarray(at, at + size));
      if (header.baseOffset !== expectedOffset) {
        return { validBytes: position, problem: `batch at position ${position} has offset ${header.baseOffset}, expected ${expectedOffset}` };
      }
      expectedOffset = header.baseOffset + header.lastOffsetDelta + 1;
      visit(extentOf(header, position));
    } catch (err) {
      if (err instanceof RecordsError) return { validBytes: position, problem: `${err.message} at position ${position}` };
      throw err;
    }
    position += size;
  }
  return { validBytes: position, problem: null };
}
