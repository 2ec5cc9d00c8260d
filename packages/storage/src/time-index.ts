import { IndexFile } from './index-file';

const ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/**
 * `.timeindex`: 12-byte entries of (largest timestamp so far: int64, offset - baseOffset: uint32)
 * where the offset is the base of the batch that holds that timestamp. Timestamps strictly increase.
 */
export class TimeIndex extends IndexFile {
  private readonly scratch = Buffer.allocUnsafe(ENTRY_SIZE);

  private constructor(path: string, baseOffset: number, contents: Buffer, deferWrites: boolean) {
    super(path, baseOffset, ENTRY_SIZE, contents, deferWrites);
  }

  /** A new index; `rebuilding` keeps entries in memory until persistAll. */
  static empty(path: string, baseOffset: number, rebuilding = false): TimeIndex {
    return new TimeIndex(path, baseOffset, Buffer.alloc(0), rebuilding);
  }

  /** Loads the file, or returns null when it is missing or not internally consistent. */
  static load(path: string, baseOffset: number, nextOffset: number): TimeIndex | null {
    const contents = IndexFile.readContents(path);
    if (contents === null || contents.length % ENTRY_SIZE !== 0) return null;
    const index = new TimeIndex(path, baseOffset, contents, false);
    return index.isConsistent(nextOffset) ? index : null;
  }

  private isConsistent(nextOffset: number): boolean {
    let previousTimestamp = -Infinity;
    let previousOffset = -1;
    for (let slot = 0; slot < this.count; slot++) {
      const timestamp = this.timestampAt(slot);
      const offset = this.relativeOffsetAt(slot);
      if (timestamp <= previousTimestamp || offset < previousOffset) return false;
      if (this.baseOffset + offset >= nextOffset) return false;
      previousTimestamp = timestamp;
      previousOffset = offset;
    }
    return true;
  }

  /** Appends when `timestamp` is newer than the last entry; older timestamps add nothing. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry();
    if (last !== null && timestamp <= last.timestamp) return;
    this.scratch.writeBigInt64BE(BigInt(timestamp), 0);
    this.scratch.writeUInt32BE(offset - this.baseOffset, 8);
    this.appendEntry(this.scratch);
  }

  /** The last entry whose timestamp is strictly below `timestamp`, or null. */
  lookupBefore(timestamp: number): TimestampOffset | null {
    const slot = this.floorSlot(timestamp, (s) => this.timestampAt(s), true);
    return slot < 0 ? null : this.entryAt(slot);
  }

  lastEntry(): TimestampOffset | null {
    return this.count === 0 ? null : this.entryAt(this.count - 1);
  }

  /** Drops entries for batches at or after `offset`. */
  truncateTo(offset: number): void {
    let keep = this.count;
    while (keep > 0 && this.baseOffset + this.relativeOffsetAt(keep - 1) >= offset) keep--;
    this.truncateEntries(keep);
  }

  private entryAt(slot: number): TimestampOffset {
    return { timestamp: this.timestampAt(slot), offset: this.baseOffset + this.relativeOffsetAt(slot) };
  }

  private timestampAt(slot: number): number {
    return Number(this.entries.readBigInt64BE(slot * ENTRY_SIZE));
  }

  private relativeOffsetAt(slot: number): number {
    return this.entries.readUInt32BE(slot * ENTRY_SIZE + 8);
  }
}
