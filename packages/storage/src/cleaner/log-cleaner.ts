import * as fs from 'node:fs';
import { canJoinEmpty, emptyBatch, filterBatch, isControlBatch, readBatchHeader, visitRecords, type FilteredRecord, type BatchHeader } from '@gregor/records';
import type { LogConfig } from '../config';
import { BatchExtent, extentOf } from '../batch-scan';
import { LogSegment } from '../segment';
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint';
import type { IoThrottle } from './io-throttle';
import { OffsetMap } from './offset-map';
import { segmentBatches } from './segment-batches';
import { cleaningDir, type AfterSwapStep } from './segment-swap';

const WRITE_CHUNK_BYTES = 1024 * 1024;

export interface CleanOptions {
  /** Nothing at or past this offset is cleaned or used to clean: the replica's commit point, as what is above it may yet be cut. */
  below: number;
  /** Memory for the map of keys to their newest offset (Kafka's log.cleaner.dedupe.buffer.size). */
  dedupeBufferBytes: number;
  throttle: IoThrottle;
  /** Hears each step of every segment swap; a test stops the swap there as a crash would. */
  afterSwapStep?: AfterSwapStep;
}

export interface CleanReport {
  segmentsRewritten: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRemoved: number;
  /** The first offset not yet indexed; the next run starts there. */
  cleanedTo: number;
}

/** What the cleaner needs of a log: its segments as they stand, and a way to put a cleaned copy in a segment's place. */
export interface CleanableLog {
  readonly dir: string;
  readonly config: LogConfig;
  now(): number;
  segments(): readonly LogSegment[];
  /** Swaps in the synced `.log.cleaned` copy of `segment`; false, touching nothing, when the segment is no longer in the log. */
  swapIn(segment: LogSegment, afterStep: AfterSwapStep): boolean;
}

/**
 * One pass of Kafka's log compaction over the sealed, committed segments: indexes the newest
 * offset of every key in the dirty section (after the checkpoint), then rewrites each segment
 * from the log start keeping a record unless a newer one of its key was indexed, or it is a
 * tombstone past delete.retention.ms. Offsets stay, and every batch keeps its offset range and
 * header, so readers at any offset, a replicated log's entries and producer state all carry on;
 * only neighbours left without records (with no producer id, of one term) become one header,
 * which a replicated log may cut again at any offset (see PartitionRaftStorage). Control batches
 * and records without a key are kept. Null when there was nothing to clean yet.
 */
export async function cleanLog(log: CleanableLog, options: CleanOptions): Promise<CleanReport | null> {
  const { config } = log;
  const now = log.now();
  const cleanable = cleanableSegments(log.segments(), options.below, now - config.minCompactionLagMs);
  if (cleanable.length === 0) return null;
  const start = cleanable[0].baseOffset;
  const end = cleanable[cleanable.length - 1].nextOffset;
  const checkpoint = readCleanerCheckpoint(log.dir);
  const firstDirty = checkpoint === null || checkpoint < start || checkpoint > end ? start : checkpoint;
  if (firstDirty >= end || !isDirtyEnough(cleanable, firstDirty, config, now)) return null;

  const report: CleanReport = { segmentsRewritten: 0, bytesRead: 0, bytesWritten: 0, recordsRemoved: 0, cleanedTo: end };
  const map = OffsetMap.ofBytes(options.dedupeBufferBytes);
  report.cleanedTo = await indexKeys(cleanable, firstDirty, end, map, options.throttle, report);
  const horizon = now - config.deleteRetentionMs;
  const cleanedTo = report.cleanedTo;
  const keep = (header: BatchHeader) => (record: FilteredRecord): boolean => {
    if (record.key === null) return true;
    if (map.newestOffset(record.key) > record.offset) return false;
    return !(record.valueIsNull && record.offset < cleanedTo && header.maxTimestamp < horizon);
  };
  for (const segment of cleanable) {
    if (segment.baseOffset >= cleanedTo) break;
    const rewritten = await writeCleanedCopy(log, segment, keep, options.throttle, report);
    if (!rewritten) continue;
    options.afterSwapStep?.('cleaned-written');
    if (!log.swapIn(segment, options.afterSwapStep ?? (() => undefined))) {
      fs.rmSync(cleaningDir(log.dir), { recursive: true, force: true });
      return report;
    }
    report.segmentsRewritten++;
  }
  writeCleanerCheckpoint(log.dir, cleanedTo);
  return report;
}

/** The oldest sealed segments wholly below `below` whose newest record is no newer than `newestAllowed`. */
function cleanableSegments(segments: readonly LogSegment[], below: number, newestAllowed: number): LogSegment[] {
  const cleanable: LogSegment[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (segment.nextOffset > below || segment.maxTimestamp > newestAllowed) break;
    cleanable.push(segment);
  }
  return cleanable;
}

/** Kafka's trigger: the dirty share of the cleanable bytes reaches the ratio, or dirty records wait past max.compaction.lag.ms. */
function isDirtyEnough(cleanable: readonly LogSegment[], firstDirty: number, config: LogConfig, now: number): boolean {
  let total = 0;
  let dirty = 0;
  let oldestDirty = Number.POSITIVE_INFINITY;
  for (const segment of cleanable) {
    total += segment.size;
    if (segment.nextOffset <= firstDirty) continue;
    dirty += segment.size;
    if (segment.rollTimestamp !== null && segment.rollTimestamp >= 0) oldestDirty = Math.min(oldestDirty, segment.rollTimestamp);
  }
  if (dirty === 0) return false;
  return dirty / total >= config.minCleanableDirtyRatio || now - oldestDirty > config.maxCompactionLagMs;
}

/** Records the newest offset of each key from `firstDirty` until `end` or until the map is full; returns where indexing stopped. */
async function indexKeys(cleanable: readonly LogSegment[], firstDirty: number, end: number, map: OffsetMap, throttle: IoThrottle, report: CleanReport): Promise<number> {
  let stoppedAt: number | null = null;
  for (const segment of cleanable) {
    if (segment.nextOffset <= firstDirty) continue;
    for await (const { bytes, position, verified } of segmentBatches(segment, throttle)) {
      report.bytesRead += bytes.length;
      const header = readBatchHeader(bytes);
      if (header.baseOffset + header.lastOffsetDelta < firstDirty || isControlBatch(header.attributes)) continue;
      visitRecords(bytes, (record) => {
        if (stoppedAt !== null || record.key === null || record.offset < firstDirty) return;
        if (!map.put(record.key, record.offset)) stoppedAt = record.offset;
      }, verified);
      segment.markVerified(position, position + bytes.length);
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
  log: CleanableLog,
  segment: LogSegment,
  keep: (header: BatchHeader) => (record: FilteredRecord) => boolean,
  throttle: IoThrottle,
  report: CleanReport,
): Promise<boolean> {
  fs.mkdirSync(cleaningDir(log.dir), { recursive: true });
  const copy = LogSegment.create(cleaningDir(log.dir), segment.baseOffset, log.now());
  let changed = false;
  let pending: Buffer[] = [];
  let extents: BatchExtent[] = [];
  let pendingBytes = 0;
  /** The last batch in `pending`, while it may still be joined with the next. */
  let previous: BatchHeader | null = null;
  const flushPending = async (): Promise<void> => {
    await throttle.take(pendingBytes);
    copy.append(pending, extents, log.config.indexIntervalBytes);
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
    for await (const { bytes, position, verified } of segmentBatches(segment, throttle)) {
      report.bytesRead += bytes.length;
      const header = readBatchHeader(bytes);
      const control = isControlBatch(header.attributes);
      const cleaned = control ? bytes : filterBatch(bytes, keep(header), verified);
      if (!control) segment.markVerified(position, position + bytes.length);
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
