import { canJoinEmpty, emptyBatch, filterBatch, isControlBatch, readBatchHeader, visitRecords, type BatchHeader, type FilteredRecord } from '@gregor/records';
import * as fs from 'node:fs';
import { BatchExtent, extentOf } from '../batch-scan';
import { StorageError } from '../errors';
import { syncDirectory } from '../file-io';
import { LogSegment } from '../segment';
import { IoThrottle } from './io-throttle';
import { OffsetMap } from './offset-map';
import { segmentBatches } from './segment-batches';
import { cleaningDir } from './segment-swap';

const WRITE_CHUNK_BYTES = 1024 * 1024;

/** One pass as planned on the log's thread: plain data, so it can run on another. */
export interface CleanJob {
  dir: string;
  /** The sealed segments to clean, oldest first: each immutable while it is in the log. */
  segments: Array<{ baseOffset: number; nextOffset: number }>;
  firstDirty: number;
  now: number;
  deleteRetentionMs: number;
  indexIntervalBytes: number;
  dedupeBufferBytes: number;
  /** The pass's cap on its reads and writes together; 0 = none. */
  ioBytesPerSecond: number;
}

export interface PassReport {
  bytesRead: number;
  bytesWritten: number;
  recordsRemoved: number;
  /** The first offset not yet indexed; the next pass starts there. */
  cleanedTo: number;
}

/**
 * Runs one pass of compaction (see cleanLog) over the job's segments, reading their files and
 * writing each changed segment's cleaned copy into the cleaning directory, synced. `copied` hears
 * of each copy and answers whether it was swapped in; false ends the pass (the log changed).
 */
export async function runCleanPass(job: CleanJob, copied: (baseOffset: number) => Promise<boolean>): Promise<PassReport> {
  const throttle = new IoThrottle(job.ioBytesPerSecond);
  const segments: LogSegment[] = [];
  try {
    for (const { baseOffset, nextOffset } of job.segments) {
      const segment = LogSegment.openTrusted(job.dir, baseOffset, nextOffset, job.now);
      if (!segment) throw new StorageError('CORRUPT_LOG', `segment ${baseOffset} of ${job.dir} does not match its indexes; it is not cleaned`);
      segments.push(segment);
    }
    const end = job.segments[job.segments.length - 1].nextOffset;
    const report: PassReport = { bytesRead: 0, bytesWritten: 0, recordsRemoved: 0, cleanedTo: end };
    const map = OffsetMap.ofBytes(job.dedupeBufferBytes);
    report.cleanedTo = await indexKeys(segments, job.firstDirty, end, map, throttle, report);
    const horizon = job.now - job.deleteRetentionMs;
    const cleanedTo = report.cleanedTo;
    const keep = (header: BatchHeader) => (record: FilteredRecord): boolean => {
      if (record.key === null) return true;
      if (map.newestOffset(record.key) > record.offset) return false;
      return !(record.valueIsNull && record.offset < cleanedTo && header.maxTimestamp < horizon);
    };
    for (const segment of segments) {
      if (segment.baseOffset >= cleanedTo) break;
      if (!(await writeCleanedCopy(job, segment, keep, throttle, report))) continue;
      if (!(await copied(segment.baseOffset))) break;
    }
    return report;
  } finally {
    for (const segment of segments) segment.close();
  }
}

/** Records the newest offset of each key from `firstDirty` until `end` or until the map is full; returns where indexing stopped. */
async function indexKeys(segments: readonly LogSegment[], firstDirty: number, end: number, map: OffsetMap, throttle: IoThrottle, report: PassReport): Promise<number> {
  let stoppedAt: number | null = null;
  for (const segment of segments) {
    if (segment.nextOffset <= firstDirty) continue;
    for await (const bytes of segmentBatches(segment, throttle)) {
      report.bytesRead += bytes.length;
      const header = readBatchHeader(bytes);
      if (header.baseOffset + header.lastOffsetDelta < firstDirty || isControlBatch(header.attributes)) continue;
      visitRecords(bytes, (record) => {
        if (stoppedAt !== null || record.key === null || record.offset < firstDirty) return;
        if (!map.put(record.key, record.offset)) stoppedAt = record.offset;
      });
      if (stoppedAt !== null) return stoppedAt;
    }
  }
  return end;
}

/**
 * Writes the cleaned copy of `segment` as a whole segment (log and indexes) in the cleaning
 * directory and syncs it; true when some record was dropped, else the copy is removed and false returned.
 */
async function writeCleanedCopy(
  job: CleanJob,
  segment: LogSegment,
  keep: (header: BatchHeader) => (record: FilteredRecord) => boolean,
  throttle: IoThrottle,
  report: PassReport,
): Promise<boolean> {
  fs.mkdirSync(cleaningDir(job.dir), { recursive: true });
  const copy = LogSegment.create(cleaningDir(job.dir), segment.baseOffset, job.now);
  let changed = false;
  let pending: Buffer[] = [];
  let extents: BatchExtent[] = [];
  let pendingBytes = 0;
  /** The last batch in `pending`, while it may still be joined with the next. */
  let previous: BatchHeader | null = null;
  const flushPending = async (): Promise<void> => {
    await throttle.take(pendingBytes);
    copy.append(pending, extents, job.indexIntervalBytes);
    pending = [];
    extents = [];
    pendingBytes = 0;
    previous = null;
  };
  const push = (batch: Buffer, header: BatchHeader): void => {
    if (previous !== null && canJoinEmpty(previous, header)) {
      // Neighbours compaction emptied become one header: what a group's commits leave behind stays small.
      const joined = emptyBatch(previous, previous.baseOffset, header.baseOffset + header.lastOffsetDelta, Math.max(previous.maxTimestamp, header.maxTimestamp));
      const last = pending.length - 1;
      pendingBytes += joined.length - pending[last].length;
      pending[last] = joined;
      previous = readBatchHeader(joined);
      extents[last] = extentOf(previous, extents[last].position);
      changed = true;
      return;
    }
    extents.push(extentOf(header, pendingBytes));
    pending.push(batch);
    pendingBytes += batch.length;
    previous = header;
  };
  try {
    for await (const bytes of segmentBatches(segment, throttle)) {
      report.bytesRead += bytes.length;
      const header = readBatchHeader(bytes);
      const cleaned = isControlBatch(header.attributes) ? bytes : filterBatch(bytes, keep(header));
      const cleanedHeader = cleaned === bytes ? header : readBatchHeader(cleaned);
      if (cleaned !== bytes) {
        changed = true;
        report.recordsRemoved += header.recordsCount - cleanedHeader.recordsCount;
      }
      push(cleaned, cleanedHeader);
      if (pendingBytes >= WRITE_CHUNK_BYTES) await flushPending();
    }
    if (changed) {
      await flushPending();
      copy.seal();
      await copy.sync();
      syncDirectory(cleaningDir(job.dir));
      report.bytesWritten += copy.size;
    }
  } catch (err) {
    copy.delete();
    throw err;
  }
  if (changed) copy.close();
  else copy.delete();
  return changed;
}
