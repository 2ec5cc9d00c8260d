import * as fs from 'node:fs';

/**
 * A fixed-width, append-only index file mirrored in memory. Entries are sorted by their key;
 * the index is derived data, so a crash may leave it short or inconsistent and the loader
 * rebuilds it from the log rather than trusting it.
 */
export abstract class IndexFile {
  protected entries: Buffer;
  protected count: number;
  private fd: number | null = null;

  /**
   * @param deferWrites while rebuilding, entries collect in memory and `persistAll` writes them
   *   in one go instead of one write per entry.
   */
  protected constructor(
    readonly path: string,
    readonly baseOffset: number,
    protected readonly entrySize: number,
    contents: Buffer,
    private deferWrites: boolean,
  ) {
    this.count = Math.floor(contents.length / entrySize);
    this.entries = Buffer.allocUnsafe(Math.max(contents.length, entrySize * 64));
    contents.copy(this.entries, 0, 0, this.count * entrySize);
  }

  protected static readContents(path: string): Buffer | null {
    try {
      return fs.readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  get entryCount(): number {
    return this.count;
  }

  get sizeInBytes(): number {
    return this.count * this.entrySize;
  }

  isFull(maxBytes: number): boolean {
    return this.sizeInBytes + this.entrySize > maxBytes;
  }

  /** Index of the last entry whose key is <= `key` (or < when `strict`), or -1 when none is. */
  protected floorSlot(key: number, keyOf: (slot: number) => number, strict: boolean): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keyOf(mid);
      if (k < key || (!strict && k === key)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  protected appendEntry(entry: Buffer): void {
    const at = this.count * this.entrySize;
    if (at + this.entrySize > this.entries.length) {
      const grown = Buffer.allocUnsafe(this.entries.length * 2);
      this.entries.copy(grown, 0, 0, at);
      this.entries = grown;
    }
    entry.copy(this.entries, at);
    if (!this.deferWrites) fs.writeSync(this.writableFd(), entry, 0, this.entrySize, at);
    this.count++;
  }

  /** Keeps the first `count` entries. */
  protected truncateEntries(count: number): void {
    if (count >= this.count) return;
    this.count = count;
    fs.ftruncateSync(this.writableFd(), count * this.entrySize);
  }

  /** Replaces the file with exactly the in-memory entries (after a rebuild). */
  persistAll(): void {
    this.closeFd();
    fs.writeFileSync(this.path, this.entries.subarray(0, this.sizeInBytes));
    this.deferWrites = false;
  }

  sync(): void {
    if (this.fd !== null) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    this.closeFd();
  }

  private writableFd(): number {
    if (this.fd === null) this.fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}
