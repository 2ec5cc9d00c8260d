import type { ConfChange, ConfState } from '@gregor/raft';

export type MembershipStep =
  | { kind: 'wait' }
  | { kind: 'change'; change: ConfChange }
  | { kind: 'transfer'; to: number }
  | { kind: 'done' };

export interface GroupView {
  /** The membership applied on the leader. */
  config: ConfState;
  /** A membership change is proposed and not yet applied: Raft takes one at a time. */
  changePending: boolean;
  leader: number;
  /** Whether a replica holds everything the group has committed (ready to vote) ... */
  caughtUp(id: number): boolean;
  /** ... and whether it holds the leader's whole log and answers (ready to lead). */
  canLead(id: number): boolean;
}

/**
 * The next single membership change that moves a partition's Raft group toward `target`. New
 * replicas join as learners and become voters only once caught up, so a replica that has not
 * caught up never counts toward the commit quorum; old voters leave only after every new one
 * votes, so the group never has fewer voters than the target. A leader that is to leave hands
 * leadership to a caught-up target voter first.
 */
export function nextMembershipStep(view: GroupView, target: readonly number[]): MembershipStep {
  if (view.changePending) return { kind: 'wait' };
  const { voters, learners } = view.config;
  const absent = target.find((id) => !voters.includes(id) && !learners.includes(id));
  if (absent !== undefined) return { kind: 'change', change: { type: 'addLearner', nodeId: absent } };
  const ready = learners.find((id) => target.includes(id) && view.caughtUp(id));
  if (ready !== undefined) return { kind: 'change', change: { type: 'addVoter', nodeId: ready } };
  const strayLearner = learners.find((id) => !target.includes(id));
  if (strayLearner !== undefined) return { kind: 'change', change: { type: 'removeNode', nodeId: strayLearner } };
  if (learners.length > 0) return { kind: 'wait' };
  const leaving = voters.filter((id) => !target.includes(id));
  const other = leaving.find((id) => id !== view.leader);
  if (other !== undefined) return { kind: 'change', change: { type: 'removeNode', nodeId: other } };
  if (leaving.length > 0) {
    const successor = target.find((id) => view.canLead(id));
    return successor === undefined ? { kind: 'wait' } : { kind: 'transfer', to: successor };
  }
  return { kind: 'done' };
}
