import { ConfState, NodeId } from './types';

/** What the safety rules below need to see of the local log. */
export interface LogView {
  term(index: number): number | undefined;
  isUpToDate(lastIndex: number, lastTerm: number): boolean;
}

/**
 * Each rule Raft's safety argument leans on, behind one seam, so the simulator can swap in a
 * broken variant and show that its checks catch it. Production uses `SAFE_BEHAVIOUR`; the broken
 * variants live with the simulator's tests.
 */
export interface RaftBehaviour {
  /** §5.4.1: a vote goes only to a candidate whose log is at least as up to date as ours. */
  candidateUpToDate(log: LogView, lastIndex: number, lastTerm: number): boolean;
  /** §5.3: the term the entry before an AppendEntries must have here for the append to match. */
  prevTermToMatch(log: LogView, prevIndex: number, prevTerm: number): number;
  /** §5.4.2, Figure 8: counting replicas commits only entries from the leader's own term. */
  readonly commitsOnlyCurrentTerm: boolean;
  /** The vote the hard state records: a vote forgotten in a crash can be cast twice in a term. */
  persistedVote(vote: NodeId): NodeId;
  /** Responses and term-carrying messages wait until the writes they vouch for are durable. */
  readonly sendsAfterPersist: boolean;
  /** §8: a read index is served only once a quorum has confirmed this node still leads. */
  readonly readsConfirmLeadership: boolean;
  /** Thesis §4.2.1: the members whose acknowledgements make an entry committed; learners only copy the log. */
  commitQuorum(config: ConfState): readonly NodeId[];
  /** Thesis §4.1: a leader proposes a membership change only once the previous one is applied. */
  readonly confChangesOneAtATime: boolean;
}

export const SAFE_BEHAVIOUR: RaftBehaviour = Object.freeze({
  candidateUpToDate: (log: LogView, lastIndex: number, lastTerm: number) => log.isUpToDate(lastIndex, lastTerm),
  prevTermToMatch: (_log: LogView, _prevIndex: number, prevTerm: number) => prevTerm,
  commitsOnlyCurrentTerm: true,
  persistedVote: (vote: NodeId) => vote,
  sendsAfterPersist: true,
  readsConfirmLeadership: true,
  commitQuorum: (config: ConfState) => config.voters,
  confChangesOneAtATime: true,
});
