import { firstAfter } from './entry-search';
import { RaftInvariantError } from './errors';
import { entrySize, LogStorage } from './log-storage';
import { Unstable } from './unstable';
import { Entry, EntryId, Snapshot } from './types';

/** The log as Raft reasons about it: durable storage plus the unstable tail, and the commit/apply marks. */
export class RaftLog {
  readonly unstable = new Unstable();
  committed: number;
  /** Highest index handed to the application (it is applying or has applied everything up to here). */
  applied: number;
  /**
   * Highest index durable on this node with the content the log holds now: a write that replaces
   * entries brings it back to before them until it is synced in turn.
   */
  durable: number;

  constructor(readonly storage: LogStorage, committed: number, applied: number, durable: number) {
    this.committed = committed;
    this.applied = applied;
    this.durable = durable;
  }

  /** Index of the snapshot the log starts after. */
  snapshotIndex(): number {
    const s = this.unstable.snapshot;
    return s !== undefined ? s.meta.lastIndex : this.storage.firstIndex() - 1;
  }

  firstIndex(): number {
    return this.snapshotIndex() + 1;
  }

  lastIndex(): number {
    return this.unstable.lastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex());
    if (t === undefined) throw new RaftInvariantError('no term for the last index');
    return t;
  }

  /** Term of the entry ending exactly at index; undefined if compacted, beyond the end or inside an entry. */
  term(index: number): number | undefined {
    const snap = this.unstable.snapshot;
    const ufirst = this.unstable.firstIndex();
    if (snap !== undefined) {
      if (index < snap.meta.lastIndex) return undefined;
      return this.unstable.term(index);
    }
    if (ufirst !== undefined && index >= ufirst) return this.unstable.term(index);
    if (index > this.storage.lastIndex()) return undefined;
    return this.storage.term(index);
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** The last entry ending at or before index, or undefined below the snapshot. */
  floor(index: number): EntryId | undefined {
    const snap = this.unstable.snapshot;
    const ents = this.unstable.entries;
    if (snap !== undefined && index < snap.meta.lastIndex) return undefined;
    const i = firstAfter(ents, index);
    if (i > 0) return { lastIndex: ents[i - 1].lastIndex, term: ents[i - 1].term };
    if (snap !== undefined) return { lastIndex: snap.meta.lastIndex, term: snap.meta.term };
    const storedTo = ents.length > 0 ? ents[0].firstIndex - 1 : this.storage.lastIndex();
    return this.storage.floor(Math.min(index, storedTo));
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, term) at least as up to date as ours? */
  isUpToDate(lastIndex: number, term: number): boolean {
    const myTerm = this.lastTerm();
    return term > myTerm || (term === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Follower side of AppendEntries: if our log holds (prevIndex, prevTerm),
   * append what is new, truncating a conflicting suffix, and return the last
   * index the message vouches for. Undefined when the consistency check fails.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    if (entries.length === 0) return prevIndex;
    if (entries[0].firstIndex !== prevIndex + 1) {
      throw new RaftInvariantError(`entries start at ${entries[0].firstIndex}, not after ${prevIndex}`);
    }
    const conflict = this.findConflict(entries);
    if (conflict >= 0) {
      const e = entries[conflict];
      if (e.firstIndex <= this.committed) {
        throw new RaftInvariantError(`entry ${e.lastIndex}@${e.term} conflicts with committed index ${this.committed}`);
      }
      this.append(conflict === 0 ? entries : entries.slice(conflict));
    }
    return entries[entries.length - 1].lastIndex;
  }

  /** Position of the first entry we do not hold with the same (lastIndex, term); -1 if we hold them all. */
  findConflict(entries: readonly Entry[]): number {
    for (let i = 0; i < entries.length; i++) {
      if (!this.matchTerm(entries[i].lastIndex, entries[i].term)) return i;
    }
    return -1;
  }

  /**
   * The last entry at or before index whose term is <= term: the highest
   * index where a log whose entry at `index` has `term` may still match ours.
   * Returns index snapshotIndex - 1 when the answer lies inside the snapshot.
   */
  findConflictByTerm(index: number, term: number): EntryId {
    let id = this.floor(index);
    while (id !== undefined && id.term > term) {
      if (id.lastIndex <= this.snapshotIndex()) return { lastIndex: this.snapshotIndex() - 1, term: 0 };
      id = this.floor(id.lastIndex - 1);
    }
    return id ?? { lastIndex: this.snapshotIndex() - 1, term: 0 };
  }

  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    if (entries[0].firstIndex <= this.committed) {
      throw new RaftInvariantError(`append at ${entries[0].firstIndex} would overwrite committed ${this.committed}`);
    }
    this.unstable.truncateAndAppend(entries);
    this.durable = Math.min(this.durable, entries[0].firstIndex - 1);
    return this.lastIndex();
  }

  /** Entries with lastIndex in (afterIndex, toIndex], the first one always, then up to maxBytes. */
  slice(afterIndex: number, toIndex: number, maxBytes: number): Entry[] {
    if (afterIndex >= toIndex) return [];
    if (afterIndex < this.snapshotIndex()) throw new RaftInvariantError(`entries after ${afterIndex} are compacted`);
    const ufirst = this.unstable.firstIndex();
    let out: Entry[] = [];
    let bytes = 0;
    if (this.unstable.snapshot === undefined && (ufirst === undefined || afterIndex < ufirst - 1)) {
      const storedTo = ufirst === undefined ? toIndex : Math.min(toIndex, ufirst - 1);
      out = this.storage.entries(afterIndex, storedTo, maxBytes);
      for (const e of out) bytes += entrySize(e);
      if (bytes >= maxBytes || (out.length > 0 && out[out.length - 1].lastIndex < storedTo)) return out;
    }
    if (ufirst !== undefined) {
      for (const e of this.unstable.slice(Math.max(afterIndex, ufirst - 1), toIndex)) {
        bytes += entrySize(e);
        if (out.length > 0 && bytes > maxBytes) break;
        out.push(e);
      }
    }
    return out;
  }

  entriesAfter(afterIndex: number, maxBytes: number): Entry[] {
    return this.slice(afterIndex, this.lastIndex(), maxBytes);
  }

  /** Leader side: commit index if a quorum holds it and it is from `term` (Raft §5.4.2). */
  maybeCommit(index: number, term: number, anyTerm: boolean): boolean {
    if (index > this.committed && (anyTerm || this.term(index) === term)) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex() || this.term(index) === undefined) {
      throw new RaftInvariantError(`commit ${index} is not an entry of the log (last ${this.lastIndex()})`);
    }
    this.committed = index;
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > this.applied && this.applied >= this.snapshotIndex();
  }

  nextCommittedEntries(maxBytes: number): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    return this.slice(this.applied, this.committed, maxBytes);
  }

  appliedTo(index: number): void {
    if (index > this.committed || index < this.applied) {
      throw new RaftInvariantError(`applied ${index} is outside [${this.applied}, ${this.committed}]`);
    }
    this.applied = index;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** The application synced the log through `index`; entries it has not been handed yet are not covered. */
  syncedTo(index: number): void {
    const handedOver = (this.unstable.firstIndex() ?? this.lastIndex() + 1) - 1;
    this.durable = Math.max(this.durable, Math.min(index, handedOver));
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.meta.lastIndex;
    // Snapshots are persisted durably before any answer about them leaves (see Ready).
    this.durable = snapshot.meta.lastIndex;
    this.unstable.restore(snapshot);
  }
}
