import type { BatchExtent } from './batch-scan';
import type { Preallocation } from './block-reserver';
import type { Clock } from './clock';
import type { LogConfig } from './config';
import { syncDirectory } from './file-io';
import { MIN_AHEAD_BYTES, ReserveAhead } from './reserve-ahead';
import { LogSegment } from './segment';

/**
 * A partition's segments on disk, oldest first, of which only the newest (the active one) takes
 * appends: it rolls, truncates across segments and deletes segments with their files, and keeps
 * disk blocks reserved ahead of the active segment. Which offsets are committed, durable or
 * retained is the PartitionLog's to decide.
 */
export class LocalLog {
  private closed = false;
  /** Segments written since their last sync. */
  private readonly dirty = new Set<LogSegment>();
  /** Disk blocks reserved ahead of the active segment's appends; null without preallocation. */
  private ahead: ReserveAhead | null;
  /** Segments that stopped taking appends, giving back their unused reserved blocks. */
  private readonly givingBack = new Set<Promise<void>>();

  /** `config` reads the log's current config, which may change while it is open. */
  constructor(
    readonly dir: string,
    private list: LogSegment[],
    private readonly clock: Clock,
    private readonly config: () => LogConfig,
    private readonly preallocation: Preallocation | null,
  ) {
    this.ahead = this.reserveAheadFor(this.active);
  }

  get segments(): readonly LogSegment[] {
    return this.list;
  }

  get active(): LogSegment {
    return this.list[this.list.length - 1];
  }

  get logStartOffset(): number {
    return this.list[0].baseOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get sizeInBytes(): number {
    return this.list.reduce((sum, segment) => sum + segment.size, 0);
  }

  /** Index in `segments` of the segment that holds `offset`, or would: the newest starting at or before it. */
  segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.list[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Writes whole batches to the active segment; extents give their positions within the chunks laid end to end. */
  append(chunks: readonly Buffer[], extents: readonly BatchExtent[]): void {
    this.active.append(chunks, extents, this.config().indexIntervalBytes);
    this.dirty.add(this.active);
  }

  /** After appends: reserves more blocks ahead of the active segment when its window runs low. */
  reserveAhead(): void {
    this.ahead?.grewTo(this.active.size);
  }

  /** Seals the active segment and starts a new one at `baseOffset`. */
  roll(baseOffset: number): void {
    this.active.seal();
    this.giveBackReserved(this.active, MIN_AHEAD_BYTES);
    this.list.push(LogSegment.create(this.dir, baseOffset, this.clock.now()));
    this.ahead = this.reserveAheadFor(this.active);
    syncDirectory(this.dir);
  }

  /** Removes the batch holding `offset` and everything after it; `offset` lies past the log start (else resetTo). */
  truncateTo(offset: number): void {
    while (this.active.baseOffset >= offset) this.drop(this.list.pop() as LogSegment);
    this.active.truncateTo(offset);
    this.afterTruncation();
  }

  /** Deletes every segment and starts one, empty, at `offset`. */
  resetTo(offset: number): void {
    for (const segment of this.list) this.drop(segment);
    this.list = [LogSegment.create(this.dir, offset, this.clock.now())];
    this.afterTruncation();
  }

  /** Deletes the `count` oldest segments and their files, the tracked-state snapshots at their bases among them. */
  deleteOldest(count: number): void {
    for (const segment of this.list.splice(0, count)) this.drop(segment);
    syncDirectory(this.dir);
  }

  /** Puts `replacement` (a cleaned copy, already synced) where `segment` was, and closes `segment`; reads under way on it finish. */
  replaceSegment(segment: LogSegment, replacement: LogSegment): void {
    const at = this.list.indexOf(segment);
    if (at < 0 || segment === this.active) throw new Error(`segment ${segment.baseOffset} is not a sealed segment of ${this.dir}`);
    this.list[at] = replacement;
    this.dirty.delete(segment);
    segment.close(true);
  }

  /** After an unclean open: segments reaching past `recoveryPoint` may hold writes this process made and never synced. */
  markUnsyncedPast(recoveryPoint: number): void {
    for (const segment of this.list) if (segment.nextOffset > recoveryPoint) this.dirty.add(segment);
  }

  /** Syncs every segment written since its last sync; those that fail stay to be synced again. */
  async syncDirty(): Promise<void> {
    const segments = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(segments.map((segment) => segment.sync()));
    } catch (err) {
      for (const segment of segments) this.dirty.add(segment);
      throw err;
    }
  }

  /** Gives back what is reserved, waits for every give-back and closes the files; unsynced bytes stay unsynced. */
  async close(): Promise<void> {
    this.closed = true;
    this.giveBackReserved(this.active, 1);
    await Promise.all(this.givingBack);
    for (const segment of this.list) {
      segment.syncIndexes();
      segment.close();
    }
  }

  private afterTruncation(): void {
    // Truncating freed whatever was reserved past the cut, so the count starts over.
    void this.ahead?.stop();
    this.ahead = this.reserveAheadFor(this.active);
    syncDirectory(this.dir);
  }

  private drop(segment: LogSegment): void {
    this.dirty.delete(segment);
    segment.delete();
  }

  private reserveAheadFor(segment: LogSegment): ReserveAhead | null {
    const preallocation = this.preallocation;
    if (preallocation === null || preallocation.maxAheadBytes <= 0) return null;
    return new ReserveAhead(preallocation, segment.logPath, segment.size, this.config().segmentBytes);
  }

  /**
   * Stops reserving for `segment`, which takes no more appends, and once its last request has
   * settled gives back what it did not fill, when that is at least `worthBytes`. A segment rolled
   * for size has less than a batch left, not worth a truncate on this thread; one rolled for age
   * may have a whole window.
   */
  private giveBackReserved(segment: LogSegment, worthBytes: number): void {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead === null) return;
    const done = ahead.stop().then(() => {
      // The segment takes appends again if a truncation emptied the ones after it.
      if (segment === this.active && !this.closed) return;
      try {
        segment.releaseReserved(worthBytes);
      } catch {
        // Only space is at stake, and deleting the segment frees it.
      }
    });
    this.givingBack.add(done);
    void done.then(() => this.givingBack.delete(done));
  }
}
