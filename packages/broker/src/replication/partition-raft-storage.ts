import type { Entry, EntryId, HardState, LogStorage, Snapshot, SnapshotMeta } from '@gregor/raft';
import { emptyBatch, readBatchHeader } from '@gregor/records';
import type { PartitionLog } from '@gregor/storage';
import { batchOfEntry, entriesOfBatches } from './entry-batches';
import { indexOfOffset, offsetOfIndex } from './raft-index';
import { RecentEntries } from './recent-entries';
import { ReplicaStateStore } from './replica-state-store';
import { finishInstall, installSnapshot } from './snapshot-install';

const NO_DATA = new Uint8Array(0);

/**
 * For a group with a state machine (the cluster metadata): what a snapshot carries. `data` is the
 * state as of `meta.lastIndex`; `install` takes a leader's snapshot in before the log is reset to it.
 */
export interface StateSnapshots {
  data(meta: SnapshotMeta): Uint8Array;
  install(meta: SnapshotMeta, data: Uint8Array): void;
}
/** Written entries kept until applied: a producer window's worth (8 MiB) for a leader whose entries do not commit. */
const RECENT_ENTRIES_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The Raft log of one partition is its segment log: this adapter answers the Raft core's reads
 * from the PartitionLog and writes each Ready's entries into it, so record bytes are written once.
 * Everything before the log's first batch is the "snapshot": for a partition it carries no data,
 * only where the log starts, that entry's term and the membership there; for the cluster
 * metadata it also carries the state as of there (StateSnapshots). A batch compaction left
 * without records (see the storage cleaner, which joins such neighbours) is read as if cut at every
 * offset it spans, since any part of it says the same: so every index a replica may have stopped
 * at before its leader compacted stays an entry boundary there, with its term.
 */
export class PartitionRaftStorage implements LogStorage {
  /** Batches this replica validated, CRC included, when they were produced to it as leader. */
  private readonly checked = new WeakSet<Uint8Array>();
  private readonly recent = new RecentEntries(RECENT_ENTRIES_MAX_BYTES);

  constructor(
    readonly log: PartitionLog,
    readonly state: ReplicaStateStore,
    private readonly snapshots: StateSnapshots | null = null,
  ) {
    finishInstall(log, state);
  }

  initialState(): { hardState: HardState; snapshot: Snapshot } {
    return { hardState: this.state.hardState, snapshot: this.snapshot() };
  }

  firstIndex(): number {
    return this.state.snapshotMeta.lastIndex + 1;
  }

  lastIndex(): number {
    return Math.max(this.state.snapshotMeta.lastIndex, indexOfOffset(this.log.logEndOffset - 1));
  }

  term(index: number): number | undefined {
    const meta = this.state.snapshotMeta;
    if (index === meta.lastIndex) return meta.term;
    // A crash between retention recording its point and deleting segments leaves batches behind the point on disk.
    if (index < meta.lastIndex) return undefined;
    const batch = this.log.batchAt(offsetOfIndex(index));
    return batch && (indexOfOffset(batch.lastOffset) === index || !batch.hasRecords) ? batch.term : undefined;
  }

  floor(index: number): EntryId | undefined {
    const meta = this.state.snapshotMeta;
    if (index < meta.lastIndex) return undefined;
    const last = this.lastIndex();
    const target = Math.min(index, last);
    if (target === meta.lastIndex) return { lastIndex: meta.lastIndex, term: meta.term };
    const batch = this.log.batchAt(offsetOfIndex(target));
    if (!batch) return undefined;
    if (indexOfOffset(batch.lastOffset) === target || !batch.hasRecords) return { lastIndex: target, term: batch.term };
    if (batch.baseOffset === this.log.logStartOffset) return { lastIndex: meta.lastIndex, term: meta.term };
    const previous = this.log.batchAt(batch.baseOffset - 1);
    return previous ? { lastIndex: indexOfOffset(previous.lastOffset), term: previous.term } : undefined;
  }

  entries(afterIndex: number, toIndex: number, maxBytes: number): Entry[] {
    if (toIndex <= afterIndex) return [];
    const held = this.recent.slice(afterIndex, toIndex, maxBytes);
    if (held) return held;
    const from = offsetOfIndex(afterIndex + 1);
    const to = offsetOfIndex(toIndex);
    const first = this.log.batchAt(from);
    if (first && !first.hasRecords && (first.baseOffset < from || first.lastOffset > to)) return [this.emptyEntry(from, Math.min(first.lastOffset, to))];
    const { bytes } = this.log.readNow(from, maxBytes, to + 1);
    return entriesOfBatches(bytes);
  }

  /** The part [from, to] of the record-less batch holding them, as an entry of its own. */
  private emptyEntry(from: number, to: number): Entry {
    const { bytes } = this.log.readNow(from, 1);
    return entriesOfBatches(emptyBatch(readBatchHeader(bytes), from, to))[0];
  }

  snapshot(): Snapshot {
    const meta = this.state.snapshotMeta;
    return { meta, data: this.snapshots && meta.lastIndex > 0 ? this.snapshots.data(meta) : NO_DATA };
  }

  /** The leader proposes `batch` after validating it; writing it need not compute its CRC again. */
  noteChecked(batch: Uint8Array): void {
    this.checked.add(batch);
  }

  /**
   * Writes a Ready's entries, first cutting any stored entries they replace; resolves once durable.
   * Control batches are encoded here, and a leader's own proposals were checked when produced: only
   * entries received from a leader have their CRCs computed.
   */
  async append(entries: readonly Entry[]): Promise<void> {
    if (entries.length === 0) return;
    const firstOffset = offsetOfIndex(entries[0].firstIndex);
    if (firstOffset < this.log.logEndOffset) await this.log.truncateTo(firstOffset);
    const batches = entries.map(batchOfEntry);
    const crcChecked = entries.every((entry) => entry.type !== 'normal' || this.checked.has(entry.data));
    await this.log.appendAsFollower(batches, crcChecked);
    this.recent.add(entries);
  }

  /** Entries up to `index` are applied: the Raft core reads them no more but for a lagging follower, which may wait on the disk. */
  releaseThrough(index: number): void {
    this.recent.releaseThrough(index);
  }

  /** Replaces the log with the start point a leader sent: everything up to meta.lastIndex is behind us. */
  installSnapshot(meta: SnapshotMeta, data: Uint8Array): void {
    this.snapshots?.install(meta, data);
    this.recent.clear();
    installSnapshot(this.log, this.state, meta);
  }

  saveHardState(hard: HardState): void {
    const before = this.state.hardState;
    this.state.saveHardState(hard, hard.term !== before.term || hard.vote !== before.vote);
  }
}
