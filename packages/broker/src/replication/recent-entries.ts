import { firstAfter, type Entry } from '@gregor/raft';

/**
 * The entries a replica wrote that are not applied yet, as the Raft core handed them over. The
 * core reads each entry back once it commits, and a leader reads it again for a follower that
 * was not sent it before it was written; answering those reads from disk would copy every
 * produced byte a second time, into buffers that live just long enough to reach V8's old space,
 * where only full collections free them. Entries go as soon as they are applied, so the buffers
 * die young; `maxBytes` bounds what a replica whose entries do not commit holds.
 */
export class RecentEntries {
  private held: Entry[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Entries just written; where they start at or below the end of those held, they replace the rest. */
  add(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].firstIndex;
    this.keep(0, firstAfter(this.held, first - 1));
    if (this.held.length > 0 && this.held[this.held.length - 1].lastIndex !== first - 1) this.keep(0, 0);
    for (const entry of entries) {
      this.held.push(entry);
      this.bytes += entry.data.length;
    }
    let from = 0;
    for (let over = this.bytes - this.maxBytes; over > 0 && from < this.held.length; from++) over -= this.held[from].data.length;
    this.keep(from, this.held.length);
  }

  /**
   * Entries with lastIndex in (afterIndex, toIndex]: the first always, then while their data stays
   * within maxBytes. Undefined unless the entry right after afterIndex is held.
   */
  slice(afterIndex: number, toIndex: number, maxBytes: number): Entry[] | undefined {
    const start = firstAfter(this.held, afterIndex);
    if (start === this.held.length || this.held[start].firstIndex !== afterIndex + 1) return undefined;
    const end = firstAfter(this.held, toIndex);
    let bytes = this.held[start].data.length;
    let stop = start + 1;
    while (stop < end && bytes + this.held[stop].data.length <= maxBytes) bytes += this.held[stop++].data.length;
    return this.held.slice(start, stop);
  }

  /** Forgets the entries ending at or before `index`. */
  releaseThrough(index: number): void {
    this.keep(firstAfter(this.held, index), this.held.length);
  }

  clear(): void {
    this.keep(0, 0);
  }

  private keep(from: number, to: number): void {
    if (from === 0 && to === this.held.length) return;
    for (let i = 0; i < from; i++) this.bytes -= this.held[i].data.length;
    for (let i = to; i < this.held.length; i++) this.bytes -= this.held[i].data.length;
    this.held = this.held.slice(from, to);
  }
}
