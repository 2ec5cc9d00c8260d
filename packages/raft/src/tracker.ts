import { Progress } from './progress';
import { committedIndex, quorumSize, voteResult, VoteResult } from './quorum';
import { ConfState, NodeId } from './types';

/** The current configuration, the leader's progress per member, and votes in an election. */
export class ProgressTracker {
  config: ConfState = { voters: [], learners: [] };
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly maxInflightMsgs: number, private readonly maxInflightBytes: number) {}

  /** Switch to cs, keeping progress of members that stay and starting new ones at `next`. */
  setConfig(cs: ConfState, next: number): void {
    this.config = cs;
    const members = new Set([...cs.voters, ...cs.learners]);
    for (const id of [...this.progress.keys()]) if (!members.has(id)) this.progress.delete(id);
    for (const id of members) {
      const learner = cs.learners.includes(id);
      const pr = this.progress.get(id);
      if (pr === undefined) this.progress.set(id, this.newProgress(next, learner));
      else pr.isLearner = learner;
    }
  }

  resetProgress(next: number): void {
    for (const [id, pr] of this.progress) this.progress.set(id, this.newProgress(next, pr.isLearner));
  }

  isVoter(id: NodeId): boolean {
    return this.config.voters.includes(id);
  }

  /** The highest index a majority of `quorum` has matched. */
  committed(quorum: readonly NodeId[]): number {
    return committedIndex(quorum, (id) => this.progress.get(id)?.match ?? 0);
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return voteResult(this.config.voters, this.votes);
  }

  hasQuorum(ids: ReadonlySet<NodeId>): boolean {
    let n = 0;
    for (const id of this.config.voters) if (ids.has(id)) n++;
    return n >= quorumSize(this.config.voters.length);
  }

  /** Check-quorum: has a majority of voters been heard from since the last round? Clears the marks. */
  quorumActive(self: NodeId): boolean {
    const active = new Set<NodeId>();
    for (const [id, pr] of this.progress) {
      if (id === self || pr.recentActive) active.add(id);
      if (id !== self) pr.recentActive = false;
    }
    return this.hasQuorum(active);
  }

  private newProgress(next: number, learner: boolean): Progress {
    return new Progress(next, learner, this.maxInflightMsgs, this.maxInflightBytes);
  }
}
