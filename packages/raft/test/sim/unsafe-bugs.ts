import { RaftBehaviour } from '../../src';
import { SAFE_BEHAVIOUR } from '../../src/behaviour';

/**
 * Deliberately broken behaviours, each breaking one safety rule, so the simulator can show that
 * it catches every one. They exist only here: a shipped node cannot be configured into them.
 */
export const UNSAFE_BUGS = {
  /** Grant votes without the §5.4.1 "candidate's log is at least as up to date" check. */
  skipVoteLogCheck: { candidateUpToDate: () => true },
  /** Commit any index a quorum holds, even from an earlier term (the Figure 8 bug). */
  commitOldTermByCount: { commitsOnlyCurrentTerm: false },
  /** Leave the vote out of the persisted hard state. */
  dontPersistVote: { persistedVote: () => 0 },
  /** Send responses before the entries and hard state they vouch for are durable. */
  sendBeforePersist: { sendsAfterPersist: false },
  /** Accept AppendEntries without checking the previous entry's term. */
  skipPrevLogCheck: { prevTermToMatch: (log, prevIndex, prevTerm) => log.term(prevIndex) ?? prevTerm },
  /** Serve read-index requests without confirming leadership with a quorum. */
  readWithoutQuorum: { readsConfirmLeadership: false },
  /** Count learners' match indexes toward the commit quorum, as if they were voters. */
  learnersCountTowardCommit: { commitQuorum: (config) => [...config.voters, ...config.learners] },
  /** Propose a membership change while an earlier one is not yet applied. */
  concurrentConfChanges: { confChangesOneAtATime: false },
} satisfies Record<string, Partial<RaftBehaviour>>;

export type UnsafeBug = keyof typeof UNSAFE_BUGS;

export function isUnsafeBug(name: string): name is UnsafeBug {
  return Object.prototype.hasOwnProperty.call(UNSAFE_BUGS, name);
}

/** A node that follows every rule but `bug`'s. */
export function behaviourWith(bug: UnsafeBug | undefined): RaftBehaviour {
  return bug === undefined ? SAFE_BEHAVIOUR : { ...SAFE_BEHAVIOUR, ...UNSAFE_BUGS[bug] };
}
