import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BatchHeader,
  BATCH_LENGTH_POS,
  LOG_OVERHEAD,
  RecordsError,
  decodeBatch,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  validateBatch,
  validateSingleBatch,
} from '@gregor/records';
import { BatchExtent, extentOf } from './batch-scan';
import type { Preallocation } from './block-reserver';
import { CLEAN_SHUTDOWN_FILE, writeRecoveryPoint } from './checkpoint-files';
import { Clock, systemClock } from './clock';
import { CleanOptions, CleanReport, cleanLog } from './cleaner/log-cleaner';
import { AfterSwapStep, commitSwap } from './cleaner/segment-swap';
import { LogConfig, compacts, deletesOldSegments, resolveLogConfig } from './config';
import { DurableOffset } from './durable-offset';
import { StorageError } from './errors';
import { syncDirectory } from './file-io';
import type { HeaderState } from './header-state';
import { OpenReport, loadLog } from './log-loader';
import { LocalLog } from './local-log';
import { ReadPlan, ReadResult, planSegmentRead, wholeBatchesBelow } from './read-plan';
import { LogSegment, MAX_RELATIVE_OFFSET } from './segment';
import { Syncer } from './syncer';
import { removeStateSnapshot } from './state-snapshots';
import { TrackedState } from './tracked-state';

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logAppendTime: number;
}

export interface LastBatch {
  lastOffset: number;
  term: number;
}

export interface BatchInfo {
  baseOffset: number;
  lastOffset: number;
  /** The batch's partitionLeaderEpoch: the Raft term of the leader that appended it. */
  term: number;
  /** False for a batch compaction emptied: it may be read as cut at any offset it spans. */
  hasRecords: boolean;
}

export interface RetentionOptions {
  below?: number;
  beforeDelete?(newLogStart: number, lastDeleted: BatchInfo): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * One partition's log over its segments (see LocalLog): assigns offsets, decides when to roll,
 * flush and delete, plans reads below a limit and keeps tracked state folded from the batches.
 * Appends and truncations run synchronously up to the durability wait, so their order is
 * the order of the calls; reads and fsyncs run on the libuv pool.
 */
export class PartitionLog {
  private closed = false;
  private failure: unknown = null;
  private readonly local: LocalLog;
  private readonly syncer = new Syncer(() => this.syncDirtySegments());
  private unflushedBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private lastBatchCache: LastBatch | null = null;
  /** Bumped by every truncation, so a sync that started before one does not move the recovery point. */
  private truncations = 0;
  /** State a caller asked this log to keep folded from its batches (see track). */
  private tracked: TrackedState | null = null;
  /** Where the last clean close snapshotted tracked state, when that was inside the active segment. */
  private endSnapshot: number | null;
  private readonly durable: DurableOffset;

  private constructor(
    readonly dir: string,
    private cfg: LogConfig,
    private readonly clock: Clock,
    segments: LogSegment[],
    private recoveryPoint: number,
    /** What opening the log found: whether it was closed cleanly and what recovery cut. */
    readonly openReport: OpenReport,
    preallocation: Preallocation | null,
  ) {
    this.local = new LocalLog(dir, segments, clock, () => this.cfg, preallocation);
    this.endSnapshot = openReport.cleanShutdown && this.logEndOffset > this.active.baseOffset ? this.logEndOffset : null;
    this.durable = new DurableOffset(openReport.cleanShutdown ? this.logEndOffset : Math.max(this.logStartOffset, Math.min(recoveryPoint, this.logEndOffset)));
    // After a crash of this process alone, what it wrote may still sit unsynced in the page cache.
    if (!openReport.cleanShutdown) this.local.markUnsyncedPast(recoveryPoint);
  }

  /** `preallocation`: reserve disk blocks ahead of appends (see ReserveAhead); none without it. */
  static async open(
    dir: string,
    config: Partial<LogConfig> = {},
    clock: Clock = systemClock,
    preallocation: Preallocation | null = null,
  ): Promise<PartitionLog> {
    const resolved = resolveLogConfig(config);
    const loaded = loadLog(dir, resolved, clock.now());
    return new PartitionLog(dir, resolved, clock, loaded.segments, loaded.recoveryPoint, loaded.report, preallocation);
  }

  get logStartOffset(): number {
    return this.local.logStartOffset;
  }

  get logEndOffset(): number {
    return this.local.logEndOffset;
  }

  /** The offset after the last batch an fsync made durable; at most logEndOffset. */
  get durableOffset(): number {
    return this.durable.offset;
  }

  /** `listener` hears durableOffset each time it advances (one listener per log). */
  onDurable(listener: (durableOffset: number) => void): void {
    this.durable.watch(listener);
  }

  get sizeInBytes(): number {
    return this.local.sizeInBytes;
  }

  get segmentCount(): number {
    return this.local.segments.length;
  }

  private get active(): LogSegment {
    return this.local.active;
  }

  config(): LogConfig {
    return { ...this.cfg };
  }

  updateConfig(changes: Partial<LogConfig>): void {
    this.cfg = resolveLogConfig(changes, this.cfg);
  }

  /**
   * Appends one batch as leader: assigns offsets from the log end and stamps `term` into its
   * partitionLeaderEpoch, both in place (neither is covered by the CRC), and resolves once the
   * batch is durable under the flush policy.
   */
  async append(batch: Buffer, term?: number): Promise<AppendResult> {
    this.ensureWritable();
    validateSingleBatch(batch, this.cfg.maxMessageBytes);
    const baseOffset = this.logEndOffset;
    setBaseOffset(batch, 0, baseOffset);
    if (term !== undefined) setPartitionLeaderEpoch(batch, 0, term);
    const header = readBatchHeader(batch, 0);
    const logAppendTime = this.clock.now();
    this.write([batch], [extentOf(header, 0)], [header], batch.length);
    await this.afterWrite(batch.length);
    return { baseOffset, lastOffset: baseOffset + header.lastOffsetDelta, logAppendTime };
  }

  /**
   * Appends batches that already carry their offsets (a replica copying its leader); they must start at the log end.
   * Each chunk holds whole batches; several chunks are written in one writev, without being joined first.
   * `crcChecked`: every batch's CRC was checked by this process already, so it is not computed a second time.
   */
  async appendAsFollower(batches: Buffer | readonly Buffer[], crcChecked = false): Promise<AppendResult> {
    this.ensureWritable();
    const chunks = Buffer.isBuffer(batches) ? [batches] : batches;
    const extents: BatchExtent[] = [];
    const headers: BatchHeader[] = [];
    let expected = this.logEndOffset;
    let chunkStart = 0;
    for (const chunk of chunks) {
      let position = 0;
      while (position < chunk.length) {
        const declared = chunk.length - position >= LOG_OVERHEAD ? LOG_OVERHEAD + chunk.readInt32BE(position + BATCH_LENGTH_POS) : chunk.length - position;
        const header = validateBatch(chunk.subarray(position, position + Math.max(declared, 0)), 0, this.cfg.maxMessageBytes, crcChecked);
        if (header.baseOffset !== expected) {
          throw new StorageError('NON_CONTIGUOUS', `batch starts at offset ${header.baseOffset} but the log ends at ${expected}`);
        }
        const extent = extentOf(header, chunkStart + position);
        extents.push(extent);
        headers.push(header);
        expected = extent.lastOffset + 1;
        position += extent.size;
      }
      chunkStart += chunk.length;
    }
    if (extents.length === 0) throw new StorageError('INVALID_BATCH', 'no batches to append');
    const logAppendTime = this.clock.now();
    this.write(chunks, extents, headers, chunkStart);
    await this.afterWrite(chunkStart);
    return { baseOffset: extents[0].baseOffset, lastOffset: expected - 1, logAppendTime };
  }

  /**
   * Writes the batches `extents` (and `headers`, one each) describe, `bytes` of them in `chunks`,
   * rolling segments between batches as needed.
   */
  private write(chunks: readonly Buffer[], extents: readonly BatchExtent[], headers: readonly BatchHeader[], bytes: number): void {
    const last = extents[extents.length - 1];
    const state = this.tracked?.state;
    if (!this.shouldRoll(bytes, last)) {
      this.local.append(chunks, extents);
      if (state) for (const header of headers) state.apply(header);
    } else {
      let chunk = 0;
      let chunkStart = 0;
      for (let i = 0; i < extents.length; i++) {
        const extent = extents[i];
        while (extent.position >= chunkStart + chunks[chunk].length) chunkStart += chunks[chunk++].length;
        const at = extent.position - chunkStart;
        if (this.shouldRoll(extent.size, extent)) this.roll(extent.baseOffset);
        this.local.append([chunks[chunk].subarray(at, at + extent.size)], [{ ...extent, position: 0 }]);
        state?.apply(headers[i]);
      }
    }
    this.local.reserveAhead();
    this.lastBatchCache = { lastOffset: last.lastOffset, term: last.partitionLeaderEpoch };
  }

  /** Whether `bytes` ending with batch `last` must go to a new segment. */
  private shouldRoll(bytes: number, last: BatchExtent): boolean {
    const segment = this.active;
    if (segment.isEmpty) return false;
    return (
      segment.size + bytes > this.cfg.segmentBytes ||
      segment.ageAt(last.maxTimestamp, this.clock.now()) > this.cfg.segmentMs ||
      segment.indexIsFull(this.cfg.segmentIndexBytes) ||
      last.lastOffset - segment.baseOffset > MAX_RELATIVE_OFFSET
    );
  }

  private roll(baseOffset: number): void {
    // Before the segment exists, so a snapshot at a segment's base always describes the batches before it.
    this.tracked?.snapshotAt(baseOffset);
    this.local.roll(baseOffset);
    // The sealed segment is still dirty; syncing it soon lets the recovery point pass it.
    if (this.cfg.flush.kind === 'interval') this.syncInBackground();
  }

  private afterWrite(bytes: number): Promise<void> {
    const flush = this.cfg.flush;
    if (flush.kind === 'always') return this.syncer.sync();
    this.unflushedBytes += bytes;
    if (this.unflushedBytes >= flush.intervalBytes) this.syncInBackground();
    else if (this.flushTimer === null) {
      this.flushTimer = setTimeout(() => this.syncInBackground(), flush.intervalMs);
      this.flushTimer.unref();
    }
    return Promise.resolve();
  }

  private syncInBackground(): void {
    this.unflushedBytes = 0;
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.syncer.sync().catch((err: unknown) => {
      this.failure = err;
    });
  }

  private async syncDirtySegments(): Promise<void> {
    const activeBase = this.active.baseOffset;
    const end = this.logEndOffset;
    const truncations = this.truncations;
    try {
      await this.local.syncDirty();
    } catch (err) {
      throw new StorageError('IO_ERROR', `fsync failed in ${this.dir}: ${(err as Error).message}`);
    }
    if (truncations === this.truncations) this.durable.syncedTo(end);
    if (activeBase > this.recoveryPoint && truncations === this.truncations && !this.closed) {
      this.recoveryPoint = activeBase;
      writeRecoveryPoint(this.dir, activeBase, false);
    }
  }

  /**
   * Batch-aligned bytes from the batch holding `offset`: whole batches up to `maxBytes` (at least
   * one, however large) and none holding an offset at or past `maxOffset` (the high watermark).
   * Every batch returned has had its CRC checked; a bad one is reported, never served. Non-empty bytes
   * have `headroom` bytes of their buffer free before them, for a server to put its response fields in.
   */
  async read(offset: number, maxBytes: number, maxOffset = Number.MAX_SAFE_INTEGER, headroom = 0): Promise<ReadResult> {
    const plan = this.planRead(offset, maxBytes, maxOffset);
    if (!plan) return { bytes: EMPTY, nextOffset: offset };
    const first = wholeBatchesBelow(await plan.segment.read(plan.position, plan.length, headroom), plan);
    if (first.holdsRecords || first.bytes.length >= maxBytes) return { bytes: first.bytes, nextOffset: first.nextOffset };
    return this.readPastRecordless(first, maxBytes, maxOffset, headroom);
  }

  /**
   * A read that found only batches compaction emptied goes on into the next segments until it
   * holds a record, `maxBytes` or the limit: some Kafka clients (kafkajs) take an answer without
   * records for the end of the log and ask again from the same offset, forever.
   */
  private async readPastRecordless(first: ReadResult, maxBytes: number, maxOffset: number, headroom: number): Promise<ReadResult> {
    const parts = [first.bytes];
    let total = first.bytes.length;
    let nextOffset = first.nextOffset;
    while (total < maxBytes) {
      const plan = nextOffset < this.logEndOffset ? planSegmentRead(this.local, nextOffset, maxBytes - total, Math.min(this.logEndOffset, maxOffset)) : null;
      if (!plan) break;
      const more = wholeBatchesBelow(await plan.segment.read(plan.position, plan.length), plan);
      parts.push(more.bytes);
      total += more.bytes.length;
      nextOffset = more.nextOffset;
      if (more.holdsRecords) break;
    }
    if (parts.length === 1) return first;
    const out = Buffer.allocUnsafeSlow(headroom + total).subarray(headroom);
    let at = 0;
    for (const part of parts) at += part.copy(out, at);
    return { bytes: out, nextOffset };
  }

  /** `read`, blocking: for the Raft core, which reads its log synchronously and mostly from the page cache. */
  readNow(offset: number, maxBytes: number, maxOffset = Number.MAX_SAFE_INTEGER): ReadResult {
    const plan = this.planRead(offset, maxBytes, maxOffset);
    if (!plan) return { bytes: EMPTY, nextOffset: offset };
    const { bytes, nextOffset } = wholeBatchesBelow(plan.segment.readNow(plan.position, plan.length), plan);
    return { bytes, nextOffset };
  }

  /** Where the bytes for a read lie, or null when there is nothing below the limit to return. */
  private planRead(offset: number, maxBytes: number, maxOffset: number): ReadPlan | null {
    this.ensureOpen();
    if (offset < this.logStartOffset || offset > this.logEndOffset) throw this.outOfRange(offset);
    return planSegmentRead(this.local, offset, maxBytes, Math.min(this.logEndOffset, maxOffset));
  }

  /** The batch holding `offset`: its offsets and term. Null when the log does not hold the offset. */
  batchAt(offset: number): BatchInfo | null {
    this.ensureOpen();
    if (offset < this.logStartOffset || offset >= this.logEndOffset) return null;
    const batch = this.local.segments[this.local.segmentIndexFor(offset)].locate(offset);
    return batch && { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, term: batch.partitionLeaderEpoch, hasRecords: batch.recordsCount > 0 };
  }

  /** The first offset whose record timestamp is at least `timestamp`, or null when every record is older. */
  async offsetForTimestamp(timestamp: number): Promise<number | null> {
    this.ensureOpen();
    for (const segment of this.local.segments) {
      const batch = segment.locateTimestamp(timestamp);
      if (!batch) continue;
      const bytes = await segment.read(batch.position, batch.size);
      try {
        const record = decodeBatch(bytes).records.find((r) => r.timestamp >= timestamp);
        return record ? record.offset : batch.baseOffset;
      } catch (err) {
        if (err instanceof RecordsError) throw segment.corruptAt(batch.position, err.message);
        throw err;
      }
    }
    return null;
  }

  /** The first record carrying the log's largest timestamp (Kafka's max-timestamp lookup): its offset and timestamp; null for an empty log. */
  async maxTimestampRecord(): Promise<{ offset: number; timestamp: number } | null> {
    this.ensureOpen();
    let newest: LogSegment | null = null;
    for (const segment of this.local.segments) if (!segment.isEmpty && (newest === null || segment.maxTimestamp > newest.maxTimestamp)) newest = segment;
    if (newest === null || newest.maxTimestamp < 0) return null;
    const batch = newest.locate(newest.offsetOfMaxTimestamp);
    if (!batch) return null;
    const bytes = await newest.read(batch.position, batch.size);
    try {
      const timestamp = newest.maxTimestamp;
      const record = decodeBatch(bytes).records.find((r) => r.timestamp === timestamp);
      return { offset: record ? record.offset : batch.baseOffset, timestamp };
    } catch (err) {
      if (err instanceof RecordsError) throw newest.corruptAt(batch.position, err.message);
      throw err;
    }
  }

  /** Offset and term (partitionLeaderEpoch) of the newest batch, or null for an empty log. */
  lastBatch(): LastBatch | null {
    this.ensureOpen();
    if (this.logEndOffset === this.logStartOffset) return null;
    if (this.lastBatchCache === null) {
      const lastOffset = this.logEndOffset - 1;
      this.lastBatchCache = { lastOffset, term: this.termAt(lastOffset) ?? -1 };
    }
    return this.lastBatchCache;
  }

  /**
   * Headers of every batch from the one holding `offset` to the log end, read without CRC
   * checks: for rebuilding state kept in batch headers (an idempotent producer's sequences).
   */
  *batchHeaders(offset = this.logStartOffset): Generator<BatchHeader> {
    this.ensureOpen();
    for (let i = this.local.segmentIndexFor(Math.max(offset, this.logStartOffset)); i < this.local.segments.length; i++) {
      yield* this.local.segments[i].headersFrom(offset);
    }
  }

  /**
   * Keeps `state` folded from every batch of this log from now on: restores it from the newest
   * snapshot and replays the batches after it, applies each batch as it is written, snapshots it
   * at every roll, and restores and replays again after a truncation.
   */
  track(state: HeaderState): void {
    this.ensureOpen();
    this.tracked = new TrackedState(this.dir, state);
    this.replay(this.tracked);
  }

  /**
   * Rebuilds the tracked state from the newest usable snapshot and the batches after it, and
   * snapshots the active segment's base if the one restored was older, so the next rebuild reads
   * at most the active segment.
   */
  private replay(tracked: TrackedState): void {
    const offsets = this.local.segments.map((segment) => segment.baseOffset);
    if (this.endSnapshot !== null) offsets.push(this.endSnapshot);
    const from = tracked.restoreNewest(offsets.sort((a, b) => a - b)) ?? this.logStartOffset;
    for (let i = this.local.segmentIndexFor(from); i < this.local.segments.length; i++) {
      const segment = this.local.segments[i];
      if (segment === this.active && from < segment.baseOffset) {
        tracked.snapshotAt(segment.baseOffset);
        syncDirectory(this.dir);
      }
      for (const header of segment.headersFrom(Math.max(from, segment.baseOffset))) tracked.state.apply(header);
    }
  }

  /** The term (partitionLeaderEpoch) of the batch holding `offset`, or null when the log does not hold it. */
  termAt(offset: number): number | null {
    return this.batchAt(offset)?.term ?? null;
  }

  /**
   * Removes `offset` and everything after it; the cut falls at the start of the batch holding
   * `offset`. At or below the log start the log is emptied and restarts at `offset`.
   */
  async truncateTo(offset: number): Promise<void> {
    this.ensureWritable();
    if (offset >= this.logEndOffset) return;
    if (offset <= this.logStartOffset) return this.resetTo(offset);
    this.beginTruncation();
    this.local.truncateTo(offset);
    this.durable.cutTo(this.logEndOffset);
    if (this.tracked) this.replay(this.tracked);
    this.endTruncation();
  }

  /**
   * Empties the log and restarts it at `offset`, as a replica installing a snapshot must.
   * Synchronous, so a replica opening over an install a crash interrupted can finish it before
   * anything reads the log.
   */
  resetTo(offset: number): void {
    this.ensureWritable();
    this.beginTruncation();
    this.local.resetTo(offset);
    this.tracked?.state.restore(null);
    this.durable.resetTo(offset);
    this.endTruncation();
  }

  private beginTruncation(): void {
    this.truncations++;
    this.lastBatchCache = null;
    if (this.endSnapshot !== null) removeStateSnapshot(this.dir, this.endSnapshot);
    this.endSnapshot = null;
  }

  private endTruncation(): void {
    if (this.recoveryPoint > this.active.baseOffset) {
      this.recoveryPoint = this.active.baseOffset;
      writeRecoveryPoint(this.dir, this.recoveryPoint, true);
    }
  }

  /**
   * Deletes whole oldest segments past retention.bytes or retention.ms (under a cleanup policy that
   * deletes); the active segment stays,
   * and so does any segment holding an offset at or past `below` (a replica keeps what is not yet
   * committed). `beforeDelete` hears the new log start and the last batch to go before any file
   * is removed, so a caller can first record where its log now begins.
   */
  async applyRetention(options: RetentionOptions = {}): Promise<number> {
    this.ensureWritable();
    if (!deletesOldSegments(this.cfg)) return 0;
    const { retentionBytes, retentionMs } = this.cfg;
    const below = options.below ?? Number.MAX_SAFE_INTEGER;
    const cutoff = this.clock.now() - retentionMs;
    let total = this.sizeInBytes;
    let count = 0;
    while (count < this.local.segments.length - 1) {
      const oldest = this.local.segments[count];
      const overSize = retentionBytes >= 0 && total - oldest.size >= retentionBytes;
      const expired = retentionMs >= 0 && oldest.maxTimestamp < cutoff;
      if ((!overSize && !expired) || oldest.nextOffset > below) break;
      total -= oldest.size;
      count++;
    }
    if (count === 0) return 0;
    const newStart = this.local.segments[count].baseOffset;
    const lastDeleted = this.batchAt(newStart - 1);
    if (lastDeleted) options.beforeDelete?.(newStart, lastDeleted);
    this.local.deleteOldest(count);
    return count;
  }

  /**
   * One pass of compaction (see cleanLog) under a cleanup policy that compacts; null when there
   * was nothing to clean. Appends, reads and retention go on while it runs.
   */
  async clean(options: CleanOptions): Promise<CleanReport | null> {
    this.ensureWritable();
    if (!compacts(this.cfg)) return null;
    return cleanLog(
      {
        dir: this.dir,
        config: this.cfg,
        now: () => this.clock.now(),
        segments: () => this.local.segments,
        swapIn: (segment, afterStep) => this.swapInCleaned(segment, afterStep),
      },
      options,
    );
  }

  private swapInCleaned(segment: LogSegment, afterStep: AfterSwapStep): boolean {
    if (this.closed || this.failure !== null || !this.local.segments.includes(segment) || segment === this.active) return false;
    commitSwap(this.dir, segment.baseOffset, afterStep);
    const replacement = LogSegment.openTrusted(this.dir, segment.baseOffset, segment.nextOffset, this.clock.now());
    if (replacement === null) {
      this.failure = new StorageError('CORRUPT_LOG', `cleaned segment ${segment.baseOffset} of ${this.dir} does not match its indexes or ends before ${segment.nextOffset}`);
      throw this.failure;
    }
    this.local.replaceSegment(segment, replacement);
    return true;
  }

  /** Makes everything appended so far durable. */
  async flush(): Promise<void> {
    this.ensureOpen();
    await this.syncer.sync();
  }

  /** Syncs, closes the files and leaves the marker that lets the next open skip recovery. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    await this.syncer.sync();
    this.closed = true;
    await this.local.close();
    if (this.failure === null) {
      // The next open restores this and reads no batch, as the marker vouches nothing came after it.
      this.tracked?.snapshotAt(this.logEndOffset);
      fs.writeFileSync(path.join(this.dir, CLEAN_SHUTDOWN_FILE), '');
      syncDirectory(this.dir);
    }
  }

  private outOfRange(offset: number): StorageError {
    return new StorageError(
      'OFFSET_OUT_OF_RANGE',
      `offset ${offset} is out of range: the log holds offsets from ${this.logStartOffset} up to (not including) ${this.logEndOffset}`,
    );
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
  }

  private ensureWritable(): void {
    this.ensureOpen();
    if (this.failure !== null) {
      throw new StorageError('IO_ERROR', `log ${this.dir} failed an fsync and takes no more writes: ${String(this.failure)}`);
    }
  }
}
