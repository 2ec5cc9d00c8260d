import * as fs from 'node:fs';
import type { LogConfig } from '../config';
import type { LogSegment } from '../segment';
import { readCleanerCheckpoint, writeCleanerCheckpoint } from './cleaner-checkpoint';
import type { CleanerThread } from './cleaner-thread';
import { cleaningDir, type AfterSwapStep } from './segment-swap';

export interface CleanOptions {
  /** Nothing at or past this offset is cleaned or used to clean: the replica's commit point, as what is above it may yet be cut. */
  below: number;
  /** Memory for the map of keys to their newest offset (Kafka's log.cleaner.dedupe.buffer.size). */
  dedupeBufferBytes: number;
  /** Cap on the pass's reads and writes together, bytes per second; 0 = none. */
  ioBytesPerSecond: number;
  /** Where the pass runs; one thread serves every log of a broker. */
  thread: CleanerThread;
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
  /** Swaps in the synced cleaned copy of `segment`; false, touching nothing, when the segment is no longer in the log. */
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
 * and records without a key are kept. The reading and writing run on the cleaner thread; each
 * copy is swapped in here, on the log's thread. Null when there was nothing to clean yet.
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

  const byBase = new Map(cleanable.map((segment) => [segment.baseOffset, segment]));
  let segmentsRewritten = 0;
  let abandoned = false;
  const onCopied = (baseOffset: number): boolean => {
    options.afterSwapStep?.('cleaned-written');
    const segment = byBase.get(baseOffset);
    if (segment && log.swapIn(segment, options.afterSwapStep ?? (() => undefined))) {
      segmentsRewritten++;
      return true;
    }
    abandoned = true;
    fs.rmSync(cleaningDir(log.dir), { recursive: true, force: true });
    return false;
  };
  const job = {
    dir: log.dir,
    segments: cleanable.map((segment) => ({ baseOffset: segment.baseOffset, nextOffset: segment.nextOffset })),
    firstDirty,
    now,
    deleteRetentionMs: config.deleteRetentionMs,
    indexIntervalBytes: config.indexIntervalBytes,
    dedupeBufferBytes: options.dedupeBufferBytes,
    ioBytesPerSecond: options.ioBytesPerSecond,
  };
  const pass = await options.thread.run(job, onCopied);
  if (!abandoned) writeCleanerCheckpoint(log.dir, pass.cleanedTo);
  return { segmentsRewritten, ...pass };
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
