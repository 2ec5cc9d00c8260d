import { ConfState, Entry, MemoryStorage, NodeId, RaftNode, Ready, Snapshot, UnsafeBugs } from '../../src';
import { bytesToHash, chainHash } from './chain-hash';
import { SafetyChecker } from './checker';
import { Prng } from './prng';

export interface NodeTiming {
  electionTick: number;
  heartbeatTick: number;
  preVote: boolean;
  checkQuorum: boolean;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  maxInflightBytes: number;
  maxCommittedSizePerReady: number;
  skipRedundantNoop: boolean;
}

/**
 * One simulated server. `storage` and `hashes` are its disk and survive a
 * crash; the Raft node, the state machine and any write still in progress do not.
 */
export class SimNode {
  readonly storage: MemoryStorage;
  /** Chain hash of the durable log prefix ending at each stored entry, parallel to the log. */
  private hashes: { lastIndex: number; hash: number }[];
  node: RaftNode | undefined;
  /** A Ready whose write completes at `due`. */
  pending: { ready: Ready; due: number } | undefined;
  applied = 0;
  stateHash = 0;
  incarnation = 0;
  lastCommit = 0;
  /** For --trace only: the last term this node was reported leading. */
  tracedLeaderTerm = 0;

  constructor(
    readonly id: NodeId,
    initial: Snapshot | undefined,
    private readonly timing: NodeTiming,
    private readonly bugs: UnsafeBugs,
    private readonly checker: SafetyChecker,
    private readonly compactEvery: number,
  ) {
    this.storage = new MemoryStorage(initial);
    const snap = this.storage.snapshot();
    this.hashes = [{ lastIndex: snap.meta.lastIndex, hash: snap.data.length === 4 ? bytesToHash(snap.data) : 0 }];
  }

  isUp(): boolean {
    return this.node !== undefined;
  }

  start(prng: Prng): void {
    this.incarnation++;
    const random = prng.fork(this.id * 7919 + this.incarnation);
    this.node = new RaftNode({
      id: this.id,
      storage: this.storage,
      electionTick: this.timing.electionTick,
      heartbeatTick: this.timing.heartbeatTick,
      preVote: this.timing.preVote,
      checkQuorum: this.timing.checkQuorum,
      maxSizePerMsg: this.timing.maxSizePerMsg,
      maxInflightMsgs: this.timing.maxInflightMsgs,
      maxInflightBytes: this.timing.maxInflightBytes,
      maxCommittedSizePerReady: this.timing.maxCommittedSizePerReady,
      skipRedundantNoop: this.timing.skipRedundantNoop,
      random: () => random.float(),
      unsafe: this.bugs,
    });
    const snap = this.storage.snapshot();
    this.applied = snap.meta.lastIndex;
    this.stateHash = snap.data.length === 4 ? bytesToHash(snap.data) : 0;
    this.lastCommit = 0;
    this.pending = undefined;
    if (snap.meta.lastIndex > 0) this.checker.observeRestore(this.id, snap.meta.lastIndex, snap.meta.term, this.stateHash);
  }

  /**
   * Lose everything not yet durable. A torn write crashes between the two
   * writes of a Ready: the log (snapshot and entries) reached the disk, the hard
   * state did not.
   */
  crash(tornWrite: boolean): void {
    if (tornWrite && this.pending !== undefined) this.persistLog(this.pending.ready);
    this.node = undefined;
    this.pending = undefined;
  }

  /** Make the pending Ready durable: the log first, then the hard state that may point into it. */
  persist(rd: Ready): void {
    this.persistLog(rd);
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
  }

  private persistLog(rd: Ready): void {
    if (rd.snapshotToPersist !== undefined) {
      const s = rd.snapshotToPersist;
      this.storage.applySnapshot(s);
      this.hashes = [{ lastIndex: s.meta.lastIndex, hash: bytesToHash(s.data) }];
    }
    if (rd.entriesToPersist.length > 0) {
      this.storage.append(rd.entriesToPersist);
      this.appendHashes(rd.entriesToPersist);
    }
  }

  /** Apply what the Ready delivered to the state machine (a running hash of applied entries). */
  apply(rd: Ready): void {
    if (rd.snapshotToPersist !== undefined) {
      const s = rd.snapshotToPersist;
      this.applied = s.meta.lastIndex;
      this.stateHash = bytesToHash(s.data);
      this.checker.coverage.snapshotsInstalled++;
      this.checker.observeRestore(this.id, s.meta.lastIndex, s.meta.term, this.stateHash);
    }
    for (const e of rd.committedEntries) {
      const next = chainHash(this.stateHash, e);
      this.checker.observeApply(this.id, this.applied, e, next);
      this.stateHash = next;
      this.applied = e.lastIndex;
    }
  }

  maybeCompact(config: ConfState): void {
    if (this.applied - this.storage.snapshot().meta.lastIndex < this.compactEvery) return;
    if (this.storage.term(this.applied) === undefined) return;
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, this.stateHash);
    this.storage.createSnapshot(this.applied, config, data);
  }

  private appendHashes(entries: readonly Entry[]): void {
    const first = entries[0].firstIndex;
    while (this.hashes.length > 1 && this.hashes[this.hashes.length - 1].lastIndex >= first) this.hashes.pop();
    let prev = this.hashes[this.hashes.length - 1].hash;
    for (const e of entries) {
      prev = chainHash(prev, e);
      this.hashes.push({ lastIndex: e.lastIndex, hash: prev });
      this.checker.observePersisted(this.id, e, prev);
    }
    if (this.hashes.length > 4096) this.hashes = this.hashes.slice(this.hashes.length - 2048);
  }
}
