import { ConfState, Entry, HardState, MemoryStorage, Snapshot } from '../../src';
import { bytesToHash, chainHash } from './chain-hash';
import { SafetyChecker } from './checker';

/** `always`: every write is synced before it completes; a number: synced every that many steps. */
export type FlushPolicy = 'always' | number;

/**
 * One server's disk: what the node reads (the page cache) and how much of it is durable. A crash
 * keeps the durable prefix and drops the unsynced tail. Term and vote are always synced when
 * written, as the broker does; the commit index may be stored ahead of a tail the crash drops.
 */
export class SimDisk {
  storage: MemoryStorage;
  /** The log is durable through this index, with the content it holds now. */
  synced: number;
  /** Chain hash of the log prefix ending at each stored entry, parallel to the log. */
  private hashes: { lastIndex: number; term: number; hash: number }[];

  constructor(
    readonly nodeId: number,
    readonly policy: FlushPolicy,
    initial: Snapshot | undefined,
    private readonly checker: SafetyChecker,
  ) {
    this.storage = new MemoryStorage(initial);
    const snap = this.storage.snapshot();
    this.synced = snap.meta.lastIndex;
    this.hashes = [{ lastIndex: snap.meta.lastIndex, term: snap.meta.term, hash: snap.data.length === 4 ? bytesToHash(snap.data) : 0 }];
  }

  writeSnapshot(s: Snapshot): void {
    this.storage.applySnapshot(s);
    this.hashes = [{ lastIndex: s.meta.lastIndex, term: s.meta.term, hash: bytesToHash(s.data) }];
    this.synced = s.meta.lastIndex;
  }

  writeEntries(entries: readonly Entry[]): void {
    this.storage.append(entries);
    this.synced = Math.min(this.synced, entries[0].firstIndex - 1);
    this.appendHashes(entries);
    if (this.policy === 'always') this.sync();
  }

  writeHardState(hs: HardState): void {
    this.storage.setHardState(hs);
  }

  /** Snapshots the state machine at `index`; the snapshot file is synced when written. */
  compact(index: number, config: ConfState, data: Uint8Array): void {
    this.storage.createSnapshot(index, config, data);
    this.synced = Math.max(this.synced, index);
  }

  /**
   * Log matching is checked over durable logs: an entry a crash takes before it is synced never
   * left this node (a term's first entries leave only once the term is durable), and a leader
   * whose new term was lost with them may lead that term again with different entries.
   */
  sync(): void {
    const from = this.synced;
    this.synced = this.storage.lastIndex();
    for (let i = this.hashes.length - 1; i > 0 && this.hashes[i].lastIndex > from; i--) {
      const { lastIndex, term, hash } = this.hashes[i];
      this.checker.observePersisted(this.nodeId, lastIndex, term, hash);
    }
  }

  /** Power loss: only what was synced survives. */
  crash(): void {
    const { hardState, snapshot } = this.storage.initialState();
    const keep = this.storage.entries(snapshot.meta.lastIndex, this.synced, Infinity);
    const after = new MemoryStorage(snapshot);
    after.append(keep);
    after.setHardState({ ...hardState, commit: Math.min(hardState.commit, after.lastIndex()) });
    this.storage = after;
    while (this.hashes.length > 1 && this.hashes[this.hashes.length - 1].lastIndex > this.synced) this.hashes.pop();
  }

  private appendHashes(entries: readonly Entry[]): void {
    const first = entries[0].firstIndex;
    while (this.hashes.length > 1 && this.hashes[this.hashes.length - 1].lastIndex >= first) this.hashes.pop();
    let prev = this.hashes[this.hashes.length - 1].hash;
    for (const e of entries) {
      prev = chainHash(prev, e);
      this.hashes.push({ lastIndex: e.lastIndex, term: e.term, hash: prev });
    }
    if (this.hashes.length > 4096) this.hashes = this.hashes.slice(this.hashes.length - 2048);
  }
}
