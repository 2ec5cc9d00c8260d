import { ConfState, MemoryStorage, NodeId, RaftBehaviour, RaftNode, Ready, Snapshot } from '../../src';
import { bytesToHash, chainHash } from './chain-hash';
import { SafetyChecker } from './checker';
import { Prng } from './prng';
import { FlushPolicy, SimDisk } from './sim-disk';

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
 * One simulated server. What its disk synced survives a crash; the Raft node, the state machine,
 * any write still in progress and the disk's unsynced tail do not.
 */
export class SimNode {
  readonly disk: SimDisk;
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
    private readonly behaviour: RaftBehaviour,
    private readonly checker: SafetyChecker,
    private readonly compactEvery: number,
    flush: FlushPolicy,
    /** TEST-ONLY, the old broker: acknowledge entries once written, not once synced. */
    private readonly ackUnsynced: boolean,
  ) {
    this.disk = new SimDisk(id, flush, initial, checker);
  }

  get storage(): MemoryStorage {
    return this.disk.storage;
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
      reportsSync: true,
    }, this.behaviour);
    this.node.synced(this.storage.lastIndex());
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
    this.disk.crash();
    this.node = undefined;
    this.pending = undefined;
  }

  /** A flush on the disk's timer. */
  sync(): void {
    this.disk.sync();
    this.node?.synced(this.disk.synced);
  }

  /** After advance(): tell the node how much of what it wrote is durable. */
  reportSynced(): void {
    this.node?.synced(this.ackUnsynced ? this.storage.lastIndex() : this.disk.synced);
  }

  /** Make the pending Ready durable: the log first, then the hard state that may point into it. */
  persist(rd: Ready): void {
    this.persistLog(rd);
    if (rd.hardState !== undefined) this.disk.writeHardState(rd.hardState);
  }

  private persistLog(rd: Ready): void {
    if (rd.snapshotToPersist !== undefined) this.disk.writeSnapshot(rd.snapshotToPersist);
    if (rd.entriesToPersist.length > 0) this.disk.writeEntries(rd.entriesToPersist);
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
    this.disk.compact(this.applied, config, data);
  }
}
