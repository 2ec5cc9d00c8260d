import { Entry, NodeId, Raft } from '../../src';

interface CommittedEntry {
  readonly lastIndex: number;
  readonly term: number;
  readonly hash: number;
}

/**
 * Raft's safety properties, checked incrementally as the simulation runs:
 * election safety, log matching, leader completeness, state machine safety
 * (committed entries never change and every node applies the same sequence)
 * and linearizable reads. Violations are collected, not thrown.
 */
export class SafetyChecker {
  readonly violations: string[] = [];
  private readonly leaders = new Map<number, NodeId>();
  /** (lastIndex, term) -> chain hash of the prefix ending there, across all nodes' durable logs. */
  private readonly prefixes = new Map<number, number>();
  /** The committed sequence as applied by the nodes. */
  private readonly committed: CommittedEntry[] = [];
  private readonly position = new Map<number, number>();
  /** Highest index any node has reported committed, and its term. */
  private maxCommit = 0;
  private maxCommitTerm = 0;
  private readonly commitTerms = new Map<number, number>();
  private readonly readFloors = new Map<number, number>();
  /** How much of Raft a run exercised. */
  readonly coverage = { leaders: 0, snapshotsInstalled: 0, configsApplied: 0, leadersLeft: 0, readsServed: 0 };

  constructor(private readonly now: () => number, genesis: CommittedEntry) {
    this.committed.push(genesis);
    this.position.set(genesis.lastIndex, 0);
    this.commitTerms.set(genesis.lastIndex, genesis.term);
    this.maxCommit = genesis.lastIndex;
    this.maxCommitTerm = genesis.term;
  }

  fail(message: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now()}: ${message}`);
  }

  /** Election safety, and leader completeness the first time we see this leader. */
  observeLeader(raft: Raft): void {
    const known = this.leaders.get(raft.term);
    if (known === raft.id) return;
    if (known !== undefined) {
      this.fail(`two leaders in term ${raft.term}: ${known} and ${raft.id}`);
      return;
    }
    this.leaders.set(raft.term, raft.id);
    this.coverage.leaders++;
    const log = raft.log;
    if (this.maxCommit > log.snapshotIndex() && log.term(this.maxCommit) !== this.maxCommitTerm) {
      this.fail(`leader ${raft.id} of term ${raft.term} lacks committed entry ${this.maxCommit}@${this.maxCommitTerm}`);
    }
  }

  /** A node's commit index moved to `index`, whose entry has `term` in its log. */
  observeCommit(id: NodeId, index: number, term: number | undefined): void {
    if (term === undefined) {
      this.fail(`node ${id} committed ${index}, which is not an entry of its log`);
      return;
    }
    const known = this.commitTerms.get(index);
    if (known !== undefined && known !== term) {
      this.fail(`node ${id} committed ${index}@${term} but ${index}@${known} was committed before`);
    }
    this.commitTerms.set(index, term);
    if (index > this.maxCommit) {
      this.maxCommit = index;
      this.maxCommitTerm = term;
    }
  }

  /** Log matching: an entry identity always denotes the same prefix. */
  observePersisted(id: NodeId, lastIndex: number, term: number, prefixHash: number): void {
    const key = lastIndex * 65536 + term;
    const known = this.prefixes.get(key);
    if (known === undefined) this.prefixes.set(key, prefixHash);
    else if (known !== prefixHash) this.fail(`log matching: node ${id} holds ${lastIndex}@${term} with a different prefix`);
  }

  /** State machine safety: a node applied e right after `appliedBefore`, reaching state `hashAfter`. */
  observeApply(id: NodeId, appliedBefore: number, e: Entry, hashAfter: number): void {
    if (e.type === 'config') this.coverage.configsApplied++;
    const pos = this.position.get(appliedBefore);
    if (pos === undefined) {
      this.fail(`node ${id} applied ${e.lastIndex}@${e.term} after ${appliedBefore}, which is not a committed entry`);
      return;
    }
    if (e.firstIndex !== appliedBefore + 1) {
      this.fail(`node ${id} applied ${e.firstIndex}..${e.lastIndex} right after ${appliedBefore}`);
      return;
    }
    const next = this.committed[pos + 1];
    if (next === undefined) {
      this.committed.push({ lastIndex: e.lastIndex, term: e.term, hash: hashAfter });
      this.position.set(e.lastIndex, pos + 1);
      const t = this.commitTerms.get(e.lastIndex);
      if (t !== undefined && t !== e.term) this.fail(`node ${id} applied ${e.lastIndex}@${e.term}, committed as @${t}`);
    } else if (next.lastIndex !== e.lastIndex || next.term !== e.term || next.hash !== hashAfter) {
      this.fail(
        `node ${id} applied ${e.lastIndex}@${e.term} after ${appliedBefore}; others applied ${next.lastIndex}@${next.term} there`,
      );
    }
  }

  /** A node installed a snapshot (or restarted from one) at index with the given state hash. */
  observeRestore(id: NodeId, index: number, term: number, hash: number): void {
    const pos = this.position.get(index);
    const c = pos === undefined ? undefined : this.committed[pos];
    if (c === undefined || c.term !== term || c.hash !== hash) {
      this.fail(`node ${id} restored a snapshot at ${index}@${term} that matches no applied state`);
    }
  }

  /** A read issued now must see at least everything committed before it. */
  readIssued(context: number): void {
    this.readFloors.set(context, this.maxCommit);
  }

  readServed(id: NodeId, context: number, index: number): void {
    const floor = this.readFloors.get(context);
    if (floor === undefined) return;
    this.readFloors.delete(context);
    this.coverage.readsServed++;
    if (index < floor) this.fail(`stale read on node ${id}: read index ${index} < ${floor} committed before the read`);
  }

  committedCount(): number {
    return this.committed.length;
  }
}
