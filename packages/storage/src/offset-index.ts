import { IndexFile } from './index-file';

const ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

/**
 * `.index`: 8-byte entries of (offset - baseOffset: uint32, file position: uint32), one per
 * `indexIntervalBytes` of log, each pointing at the start of a batch.
 */
export class OffsetIndex extends IndexFile {
  private readonly scratch = Buffer.allocUnsafe(ENTRY_SIZE);

  private constructor(path: string, baseOffset: number, contents: Buffer, deferWrites: boolean) {
    super(path, baseOffset, ENTRY_SIZE, contents, deferWrites);
  }

  /** A new index; `rebuilding` keeps entries in memory until persistAll. */
  static empty(path: string, baseOffset: number, rebuilding = false): OffsetIndex {
    return new OffsetIndex(path, baseOffset, Buffer.alloc(0), rebuilding);
  }

  /** Loads the file, or returns null when it is missing or not internally consistent. */
  static load(path: string, baseOffset: number, logSize: number): OffsetIndex | null {
    const contents = IndexFile.readContents(path);
    if (contents === null || contents.length % ENTRY_SIZE !== 0) return null;
    const index = new OffsetIndex(path, baseOffset, contents, false);
    return index.isConsistent(logSize) ? index : null;
  }

  private isConsistent(logSize: number): boolean {
    let previousOffset = -1;
    let previousPosition = -1;
    for (let slot = 0; slot < this.count; slot++) {
      const offset = this.relativeOffsetAt(slot);
      const position = this.positionAt(slot);
      if (offset <= previousOffset || position <= previousPosition || position >= logSize) return false;
      previousOffset = offset;
      previousPosition = position;
    }
    return true;
  }

  append(offset: number, position: number): void {
    this.scratch.writeUInt32BE(offset - this.baseOffset, 0);
    this.scratch.writeUInt32BE(position, 4);
    this.appendEntry(this.scratch);
  }

  /** The last indexed batch starting at or before `offset`; the segment start when there is none. */
  lookup(offset: number): OffsetPosition {
    const slot = this.floorSlot(offset - this.baseOffset, (s) => this.relativeOffsetAt(s), false);
    if (slot < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relativeOffsetAt(slot), position: this.positionAt(slot) };
  }

  lastEntry(): OffsetPosition | null {
    if (this.count === 0) return null;
    const slot = this.count - 1;
    return { offset: this.baseOffset + this.relativeOffsetAt(slot), position: this.positionAt(slot) };
  }

  /** Drops entries for batches at or after `offset`. */
  truncateTo(offset: number): void {
    this.truncateEntries(this.floorSlot(offset - this.baseOffset, (s) => this.relativeOffsetAt(s), true) + 1);
  }

  private relativeOffsetAt(slot: number): number {
    return this.entries.readUInt32BE(slot * ENTRY_SIZE);
  }

  private positionAt(slot: number): number {
    return this.entries.readUInt32BE(slot * ENTRY_SIZE + 4);
  }
}
