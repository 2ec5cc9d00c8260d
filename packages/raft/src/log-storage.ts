import { StorageError } from './errors';
import { ConfState, Entry, EntryId, HardState, NONE, Snapshot } from './types';

/**
 * The durable log as the Raft core sees it: read-only. The application writes
 * to it from each Ready. Indexes are entry lastIndexes (the snapshot's
 * lastIndex counts as one); the log's entries are contiguous and begin at
 * snapshot.meta.lastIndex + 1.
 */
export interface LogStorage {
  /** Hard state and configuration to start from. */
  initialState(): { hardState: HardState; snapshot: Snapshot };
  /** snapshot lastIndex + 1: the lowest index an entry may still hold. */
  firstIndex(): number;
  /** lastIndex of the last entry, or the snapshot's lastIndex when there is none. */
  lastIndex(): number;
  /** Term of the entry ending exactly at `index` (or of the snapshot); undefined if there is none. */
  term(index: number): number | undefined;
  /** The last entry (or the snapshot) ending at or before `index`; undefined below the snapshot. */
  floor(index: number): EntryId | undefined;
  /** Whole entries with lastIndex in (afterIndex, toIndex], at least one if any, then up to maxBytes. */
  entries(afterIndex: number, toIndex: number, maxBytes: number): Entry[];
  snapshot(): Snapshot;
}

/** Bytes an entry counts for in flow control. */
export function entrySize(e: Entry): number {
  return e.data.length + 24;
}

const EMPTY_CONFIG: ConfState = { voters: [], learners: [] };

/** An in-memory LogStorage, used by tests and the simulator. */
export class MemoryStorage implements LogStorage {
  private hard: HardState = { term: 0, vote: NONE, commit: 0 };
  private snap: Snapshot;
  private ents: Entry[] = [];

  constructor(initial?: Snapshot) {
    this.snap = initial ?? { meta: { lastIndex: 0, term: 0, config: EMPTY_CONFIG }, data: new Uint8Array(0) };
    this.hard = { term: this.snap.meta.term, vote: NONE, commit: this.snap.meta.lastIndex };
  }

  initialState(): { hardState: HardState; snapshot: Snapshot } {
    return { hardState: this.hard, snapshot: this.snap };
  }

  firstIndex(): number {
    return this.snap.meta.lastIndex + 1;
  }

  lastIndex(): number {
    return this.ents.length === 0 ? this.snap.meta.lastIndex : this.ents[this.ents.length - 1].lastIndex;
  }

  term(index: number): number | undefined {
    if (index === this.snap.meta.lastIndex) return this.snap.meta.term;
    const i = this.position(index);
    return i >= 0 && this.ents[i].lastIndex === index ? this.ents[i].term : undefined;
  }

  floor(index: number): EntryId | undefined {
    if (index < this.snap.meta.lastIndex) return undefined;
    const lo = this.firstAfter(index);
    if (lo === 0) return { lastIndex: this.snap.meta.lastIndex, term: this.snap.meta.term };
    const e = this.ents[lo - 1];
    return { lastIndex: e.lastIndex, term: e.term };
  }

  entries(afterIndex: number, toIndex: number, maxBytes: number): Entry[] {
    if (afterIndex < this.snap.meta.lastIndex) throw new StorageError(`entries after ${afterIndex} are compacted`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = this.firstAfter(afterIndex); i < this.ents.length; i++) {
      const e = this.ents[i];
      if (e.lastIndex > toIndex) break;
      bytes += entrySize(e);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Application side: make the hard state durable. */
  setHardState(hs: HardState): void {
    this.hard = hs;
  }

  /** Application side: drop stored entries at or after entries[0].firstIndex, then append. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].firstIndex;
    if (first <= this.snap.meta.lastIndex) throw new StorageError(`append at ${first} overlaps the snapshot`);
    this.ents.length = this.firstAfter(first - 1);
    if (first !== this.lastIndex() + 1) throw new StorageError(`append at ${first} leaves a gap after ${this.lastIndex()}`);
    for (const e of entries) this.ents.push(e);
  }

  /** Application side: replace everything with a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.lastIndex < this.snap.meta.lastIndex) throw new StorageError('snapshot is older than the stored one');
    this.snap = snapshot;
    this.ents = [];
  }

  /** Application side: snapshot the state machine at `index` and drop the entries it covers. */
  createSnapshot(index: number, config: ConfState, data: Uint8Array): Snapshot {
    const term = this.term(index);
    if (term === undefined || index < this.snap.meta.lastIndex) throw new StorageError(`no entry ends at ${index}`);
    this.snap = { meta: { lastIndex: index, term, config }, data };
    this.ents = this.ents.slice(this.firstAfter(index));
    return this.snap;
  }

  /** Position of the first entry whose lastIndex > index. */
  private firstAfter(index: number): number {
    let lo = 0;
    let hi = this.ents.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ents[mid].lastIndex <= index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the entry whose range contains index, or -1. */
  private position(index: number): number {
    const i = this.firstAfter(index - 1);
    return i < this.ents.length && this.ents[i].firstIndex <= index ? i : -1;
  }
}
