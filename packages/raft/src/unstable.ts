import { firstAfter } from './entry-search';
import { RaftInvariantError } from './errors';
import { Entry, Snapshot } from './types';

/**
 * Entries and a snapshot not yet known to be durable. Entries here shadow any
 * stored entries at or after entries[0].firstIndex.
 */
export class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];

  /** The index the first unstable entry starts at, if any. */
  firstIndex(): number | undefined {
    return this.entries.length > 0 ? this.entries[0].firstIndex : undefined;
  }

  lastIndex(): number | undefined {
    if (this.entries.length > 0) return this.entries[this.entries.length - 1].lastIndex;
    return this.snapshot?.meta.lastIndex;
  }

  /** Term of the entry ending at index if this part of the log answers for it. */
  term(index: number): number | undefined {
    if (this.snapshot !== undefined && index === this.snapshot.meta.lastIndex) return this.snapshot.meta.term;
    const i = firstAfter(this.entries, index - 1);
    return i < this.entries.length && this.entries[i].lastIndex === index ? this.entries[i].term : undefined;
  }

  /** Entries [after, upTo] that are in this part of the log. */
  slice(afterIndex: number, toIndex: number): Entry[] {
    const from = firstAfter(this.entries, afterIndex);
    const to = firstAfter(this.entries, toIndex);
    return this.entries.slice(from, to);
  }

  truncateAndAppend(ents: readonly Entry[]): void {
    const first = ents[0].firstIndex;
    const last = this.lastIndex();
    if (last !== undefined && first === last + 1) {
      for (const e of ents) this.entries.push(e);
      return;
    }
    const keep = firstAfter(this.entries, first - 1);
    if (keep > 0 && this.entries[keep - 1].lastIndex !== first - 1) {
      throw new RaftInvariantError(`unstable append at ${first} does not follow an entry boundary`);
    }
    this.entries = this.entries.slice(0, keep);
    for (const e of ents) this.entries.push(e);
  }

  /** Entries up to (index, term) are durable; keep them out of the next Ready. */
  stableTo(index: number, term: number): void {
    if (this.term(index) !== term || this.entries.length === 0) return;
    this.entries = this.entries.slice(firstAfter(this.entries, index));
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== undefined && this.snapshot.meta.lastIndex === index) this.snapshot = undefined;
  }

  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.entries = [];
  }
}
