import { BatchHeader, BATCH_LENGTH_POS, LOG_OVERHEAD, RecordsError, readBatchHeader, validateBatch } from '@gregor/records';
import type { LocalLog } from './local-log';
import type { LogSegment } from './segment';

export interface ReadResult {
  /** Whole batches laid end to end, exactly as stored; empty at the end of the log. */
  bytes: Buffer;
  /** The offset to read from next. */
  nextOffset: number;
}

/** A read's bytes: `length` of them from `position` in `segment`; of the batches they hold, those reaching `limit` stay unread. */
export interface ReadPlan {
  segment: LogSegment;
  position: number;
  length: number;
  limit: number;
}

/**
 * Where the bytes for a read from `offset` lie: from the batch holding it, `maxBytes` of its
 * segment but at least that batch; null when there is nothing below `limit` to return.
 */
export function planSegmentRead(local: LocalLog, offset: number, maxBytes: number, limit: number): ReadPlan | null {
  for (let i = local.segmentIndexFor(offset); i < local.segments.length && offset < limit; i++) {
    const segment = local.segments[i];
    const first = segment.locate(offset);
    if (!first) continue;
    if (first.lastOffset >= limit) return null;
    const length = Math.max(first.size, Math.min(maxBytes, segment.size - first.position));
    return { segment, position: first.position, length, limit };
  }
  return null;
}

/**
 * The whole batches at the start of `bytes` (read as `plan` says) that end below its limit,
 * checking the CRC of every batch the segment has not yet verified; a bad one is reported, never
 * served. `holdsRecords`: some batch holds a record (compaction leaves batches that hold none).
 */
export function wholeBatchesBelow(bytes: Buffer, plan: ReadPlan): ReadResult & { holdsRecords: boolean } {
  const { segment, limit } = plan;
  let position = 0;
  let nextOffset = -1;
  let holdsRecords = false;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const size = LOG_OVERHEAD + bytes.readInt32BE(position + BATCH_LENGTH_POS);
    if (position + size > bytes.length) break;
    const filePosition = plan.position + position;
    let header: BatchHeader;
    try {
      header = segment.isVerified(filePosition, filePosition + size)
        ? readBatchHeader(bytes, position)
        : validateBatch(bytes.subarray(position, position + size));
    } catch (err) {
      if (err instanceof RecordsError) throw segment.corruptAt(filePosition, err.message);
      throw err;
    }
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    if (lastOffset >= limit) break;
    nextOffset = lastOffset + 1;
    position += size;
    holdsRecords ||= header.recordsCount > 0;
  }
  if (position === 0) throw segment.corruptAt(plan.position, 'short read');
  segment.markVerified(plan.position, plan.position + position);
  return { bytes: bytes.subarray(0, position), nextOffset, holdsRecords };
}
