import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BatchHeader } from '@gregor/records';
import { BatchExtent, readExtentAt, scanVerified } from './batch-scan';
import { StorageError } from './errors';
import { fdatasync, readAt, writeAllAt } from './file-io';
import { readHeaders } from './header-reader';
import { OffsetIndex } from './offset-index';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, removeSegmentFiles, segmentPath } from './segment-files';
import { TimeIndex } from './time-index';

/** Relative offsets are stored in 32 bits; Kafka caps them at Int32.MaxValue and so do we. */
export const MAX_RELATIVE_OFFSET = 2 ** 31 - 1;

/**
 * One `.log` file with its `.index` and `.timeindex`: appends whole batches, finds the batch
 * holding an offset, reads bytes, truncates, and rebuilds its indexes from the log after a crash.
 * It holds no locks and knows nothing of its neighbours.
 */
export class LogSegment {
  /** One past the last offset held here; equals baseOffset while empty. */
  nextOffset: number;
  /** Largest batch maxTimestamp seen here, and the base offset of that batch; -1 when empty. */
  maxTimestamp = -1;
  private offsetOfMaxTimestampBatch: number;
  /** maxTimestamp of the first batch: segment.ms counts from it, as in Kafka. */
  rollTimestamp: number | null = null;
  /** When this process created or opened the segment; segment.ms counts from it when batches carry no timestamp. */
  readonly openedAt: number;
  private bytesSinceLastIndexEntry = 0;
  /** Async reads and syncs still using the fd; closing waits for them so the fd number is never reused under them. */
  private fdUsers = 0;
  private closeRequested = false;
  private closeInBackground = false;
  /**
   * Bytes whose CRCs are known good: the prefix [0, verifiedBelow) that reads have checked, and
   * the suffix from verifiedFrom that this process validated as it wrote or recovered them.
   * Reads check CRCs only outside both, so each batch is checked once per process.
   */
  private verifiedBelow = 0;
  private verifiedFrom: number;

  private constructor(
    readonly baseOffset: number,
    readonly logPath: string,
    private readonly fd: number,
    public size: number,
    private offsetIndex: OffsetIndex,
    private timeIndex: TimeIndex,
    now: number,
  ) {
    this.openedAt = now;
    this.verifiedFrom = size;
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestampBatch = baseOffset;
  }

  static create(dir: string, baseOffset: number, now: number): LogSegment {
    const logPath = segmentPath(dir, baseOffset, LOG_SUFFIX);
    const fd = fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    const offsetIndex = OffsetIndex.empty(segmentPath(dir, baseOffset, INDEX_SUFFIX), baseOffset);
    const timeIndex = TimeIndex.empty(segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset);
    offsetIndex.persistAll();
    timeIndex.persistAll();
    return new LogSegment(baseOffset, logPath, fd, 0, offsetIndex, timeIndex, now);
  }

  /**
   * Opens a segment that was closed cleanly, trusting its indexes when they are consistent.
   * `nextOffset` is known for all but the newest segment (it is the next segment's base);
   * for the newest, pass null and the tail after the last index entry is read to find it.
   * Returns null when the files disagree, and the caller recovers the segment instead.
   */
  static openTrusted(dir: string, baseOffset: number, nextOffset: number | null, now: number): LogSegment | null {
    const logPath = segmentPath(dir, baseOffset, LOG_SUFFIX);
    const fd = fs.openSync(logPath, fs.constants.O_RDWR);
    const size = fs.fstatSync(fd).size;
    const offsetIndex = OffsetIndex.load(segmentPath(dir, baseOffset, INDEX_SUFFIX), baseOffset, size);
    const timeIndex =
      offsetIndex &&
      TimeIndex.load(segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset, nextOffset ?? Number.MAX_SAFE_INTEGER);
    if (!offsetIndex || !timeIndex) {
      fs.closeSync(fd);
      return null;
    }
    const segment = new LogSegment(baseOffset, logPath, fd, size, offsetIndex, timeIndex, now);
    if (!segment.restoreStateFromTail(nextOffset)) {
      segment.close();
      return null;
    }
    return segment;
  }

  /**
   * Opens a segment whose tail may be torn: checks every batch's framing, offsets and CRC, cuts
   * the file at the first bad batch, and rebuilds both indexes from what remains.
   */
  static recover(
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    now: number,
  ): { segment: LogSegment; problem: string | null } {
    const logPath = segmentPath(dir, baseOffset, LOG_SUFFIX);
    const fd = fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const size = fs.fstatSync(fd).size;
    const segment = new LogSegment(
      baseOffset,
      logPath,
      fd,
      0,
      OffsetIndex.empty(segmentPath(dir, baseOffset, INDEX_SUFFIX), baseOffset, true),
      TimeIndex.empty(segmentPath(dir, baseOffset, TIME_INDEX_SUFFIX), baseOffset, true),
      now,
    );
    const scan = scanVerified(fd, size, baseOffset, (batch) => segment.track(batch, batch.position, indexIntervalBytes));
    segment.size = scan.validBytes;
    segment.verifiedFrom = 0;
    if (scan.validBytes < size) {
      fs.ftruncateSync(fd, scan.validBytes);
      fs.fdatasyncSync(fd);
    }
    segment.offsetIndex.persistAll();
    segment.timeIndex.persistAll();
    return { segment, problem: scan.problem };
  }

  /** Reads the batches after the last index entry to learn nextOffset, timestamps and index spacing. */
  private restoreStateFromTail(knownNextOffset: number | null): boolean {
    const first = readExtentAt(this.fd, this.size, 0);
    if (this.size > 0 && !first) return false;
    this.rollTimestamp = first ? first.maxTimestamp : null;
    const lastTime = this.timeIndex.lastEntry();
    if (lastTime) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestampBatch = lastTime.offset;
    }
    const lastIndexed = this.offsetIndex.lastEntry();
    let position = lastIndexed ? lastIndexed.position : 0;
    let nextOffset = lastIndexed ? lastIndexed.offset : this.baseOffset;
    this.bytesSinceLastIndexEntry = this.size - position;
    while (position < this.size) {
      const batch = readExtentAt(this.fd, this.size, position);
      if (!batch || batch.baseOffset !== nextOffset) return false;
      this.noteTimestamp(batch);
      nextOffset = batch.lastOffset + 1;
      position += batch.size;
    }
    if (knownNextOffset !== null && nextOffset !== knownNextOffset) return false;
    this.nextOffset = nextOffset;
    return true;
  }

  /** Writes whole batches held in `chunks`; extents give their positions within the chunks laid end to end. */
  append(chunks: readonly Buffer[], batches: readonly BatchExtent[], indexIntervalBytes: number): void {
    const start = this.size;
    let length = 0;
    for (const chunk of chunks) length += chunk.length;
    try {
      writeAllAt(this.fd, chunks, start);
    } catch (err) {
      fs.ftruncateSync(this.fd, start);
      throw err;
    }
    this.size = start + length;
    for (const batch of batches) this.track(batch, start + batch.position, indexIntervalBytes);
  }

  private track(batch: BatchExtent, position: number, indexIntervalBytes: number): void {
    if (this.rollTimestamp === null) this.rollTimestamp = batch.maxTimestamp;
    this.noteTimestamp(batch);
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(batch.baseOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampBatch);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += batch.size;
    this.nextOffset = batch.lastOffset + 1;
  }

  private noteTimestamp(batch: BatchExtent): void {
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestampBatch = batch.baseOffset;
    }
  }

  /** The base offset of the first batch holding maxTimestamp. */
  get offsetOfMaxTimestamp(): number {
    return this.offsetOfMaxTimestampBatch;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /**
   * How long this segment has been filling, by Kafka's rule: the incoming batch's timestamp
   * against the first batch's, so producers with skewed clocks do not roll a segment per batch.
   */
  ageAt(incomingTimestamp: number, now: number): number {
    return this.rollTimestamp !== null && this.rollTimestamp >= 0 ? incomingTimestamp - this.rollTimestamp : now - this.openedAt;
  }

  indexIsFull(maxIndexBytes: number): boolean {
    return this.offsetIndex.isFull(maxIndexBytes) || this.timeIndex.isFull(maxIndexBytes);
  }

  /** The batch holding `offset`, or null when this segment ends before it. */
  locate(offset: number): BatchExtent | null {
    return this.firstBatchFrom(this.offsetIndex.lookup(offset).position, (batch) => batch.lastOffset >= offset);
  }

  /** Headers of the batches from the one holding `offset` to the end, without CRC checks. */
  *headersFrom(offset: number): Generator<BatchHeader> {
    for (const header of readHeaders(this.fd, this.size, this.offsetIndex.lookup(offset).position)) {
      if (header.baseOffset + header.lastOffsetDelta >= offset) yield header;
    }
  }

  /** The first batch whose maxTimestamp is at least `timestamp`, or null. */
  locateTimestamp(timestamp: number): BatchExtent | null {
    if (this.maxTimestamp < timestamp) return null;
    const before = this.timeIndex.lookupBefore(timestamp);
    const position = before ? this.offsetIndex.lookup(before.offset).position : 0;
    return this.firstBatchFrom(position, (batch) => batch.maxTimestamp >= timestamp);
  }

  private firstBatchFrom(position: number, matches: (batch: BatchExtent) => boolean): BatchExtent | null {
    while (position < this.size) {
      const batch = readExtentAt(this.fd, this.size, position);
      if (!batch) throw this.corruptAt(position, 'unreadable batch header');
      if (matches(batch)) return batch;
      position += batch.size;
    }
    return null;
  }

  isVerified(start: number, end: number): boolean {
    return start >= this.verifiedFrom || end <= this.verifiedBelow;
  }

  markVerified(start: number, end: number): void {
    if (start <= this.verifiedBelow && end > this.verifiedBelow) this.verifiedBelow = end;
  }

  /** Reads into a fresh buffer with `headroom` bytes before the data left for the caller's framing. */
  async read(position: number, length: number, headroom = 0): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(headroom + length);
    const data = buffer.subarray(headroom);
    const got = await this.usingFd(() => readAt(this.fd, data, length, position));
    return got === length ? data : data.subarray(0, got);
  }

  /** A blocking read, for callers that cannot wait (the Raft core reads its log synchronously). */
  readNow(position: number, length: number): Buffer {
    if (this.closeRequested) throw new StorageError('LOG_CLOSED', `${this.logPath} is closed`);
    const buffer = Buffer.allocUnsafe(length);
    const got = fs.readSync(this.fd, buffer, 0, length, position);
    return got === length ? buffer : buffer.subarray(0, got);
  }

  corruptAt(position: number, why: string): StorageError {
    return new StorageError('CORRUPT_LOG', `${this.logPath}: ${why} at position ${position}`);
  }

  /** Removes the batch holding `offset` and everything after it; the cut is made durable. */
  truncateTo(offset: number): void {
    const batch = this.locate(offset);
    if (!batch) return;
    fs.ftruncateSync(this.fd, batch.position);
    fs.fdatasyncSync(this.fd);
    this.size = batch.position;
    this.verifiedBelow = Math.min(this.verifiedBelow, this.size);
    this.verifiedFrom = Math.min(this.verifiedFrom, this.size);
    this.offsetIndex.truncateTo(batch.baseOffset);
    this.timeIndex.truncateTo(batch.baseOffset);
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestampBatch = this.baseOffset;
    if (!this.restoreStateFromTail(batch.baseOffset)) throw this.corruptAt(batch.position, 'inconsistent after truncation');
  }

  /** A rolled segment records its newest timestamp so retention and time lookups need not scan it. */
  seal(): void {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestampBatch);
    this.offsetIndex.sync();
    this.timeIndex.sync();
  }

  sync(): Promise<void> {
    return this.usingFd(() => fdatasync(this.fd));
  }

  /**
   * Gives back the disk blocks reserved past the end of the file (see ReserveAhead) when they hold
   * at least `worthBytes`; its bytes and size stay as they are.
   */
  releaseReserved(worthBytes: number): void {
    if (this.closeRequested) return;
    if (fs.fstatSync(this.fd).blocks * 512 - this.size >= worthBytes) fs.ftruncateSync(this.fd, this.size);
  }

  private async usingFd<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closeRequested) throw new StorageError('LOG_CLOSED', `${this.logPath} is closed`);
    this.fdUsers++;
    try {
      return await operation();
    } finally {
      this.fdUsers--;
      if (this.closeRequested && this.fdUsers === 0) this.closeFiles();
    }
  }

  syncIndexes(): void {
    this.offsetIndex.sync();
    this.timeIndex.sync();
  }

  /**
   * `inBackground`: the log file's last close happens on the libuv pool, for a file already
   * replaced by rename, whose close frees all its pages and would hold the event loop meanwhile.
   */
  close(inBackground = false): void {
    if (this.closeRequested) return;
    this.closeRequested = true;
    this.closeInBackground = inBackground;
    if (this.fdUsers === 0) this.closeFiles();
  }

  private closeFiles(): void {
    this.offsetIndex.close();
    this.timeIndex.close();
    if (this.closeInBackground) fs.close(this.fd, () => undefined);
    else fs.closeSync(this.fd);
  }

  /** Closes and removes the segment's files; reads already under way finish on the unlinked file. */
  delete(): void {
    this.close();
    removeSegmentFiles(path.dirname(this.logPath), this.baseOffset);
  }
}
