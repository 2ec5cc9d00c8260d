import { RaftError } from '@gregor/raft';
import type { ClusterState } from '../controller/cluster-state';
import type { BrokerRecord, MetadataCommand } from '../controller/metadata-commands';
import type { MembershipStep, GroupView } from '../reassignment/membership-step';
import { groupView } from '../reassignment/reassignment-driver';
import type { ReplicatedPartition } from '../replication/replicated-partition';

/** Decommissioning a controller keeps at least this many metadata voters where brokers allow. */
const MIN_CONTROLLERS = 3;

/**
 * The next change to the metadata log's membership, on its leader: every registered broker
 * follows the log (one that joined after the cluster formed becomes a learner once registered);
 * an operator's controller change (`target`) promotes a caught-up learner or demotes a voter; and
 * otherwise a decommissioned controller hands its vote to a caught-up broker before it is demoted
 * to a learner, so the cluster keeps its controller count. One change at a time, as Raft takes
 * them; a leader to be demoted hands leadership to a staying voter first.
 */
export function nextMetadataStep(view: GroupView, brokers: readonly BrokerRecord[], target?: readonly number[]): MembershipStep {
  if (view.changePending) return { kind: 'wait' };
  const { voters, learners } = view.config;
  const missing = brokers.find((b) => !b.fenced && !voters.includes(b.id) && !learners.includes(b.id));
  if (missing) return { kind: 'change', change: { type: 'addLearner', nodeId: missing.id } };
  return target ? towardControllers(view, target) : replaceDecommissioned(view, brokers);
}

function towardControllers(view: GroupView, target: readonly number[]): MembershipStep {
  const { voters, learners } = view.config;
  const joining = target.find((id) => !voters.includes(id));
  if (joining !== undefined) {
    return learners.includes(joining) && view.caughtUp(joining) ? { kind: 'change', change: { type: 'addVoter', nodeId: joining } } : { kind: 'wait' };
  }
  const leaving = voters.find((id) => !target.includes(id));
  if (leaving === undefined) return { kind: 'done' };
  return demote(view, leaving, voters.filter((id) => id !== leaving));
}

function demote(view: GroupView, leaving: number, staying: readonly number[]): MembershipStep {
  if (leaving !== view.leader) return { kind: 'change', change: { type: 'addLearner', nodeId: leaving } };
  const next = staying.find((id) => view.canLead(id));
  return next === undefined ? { kind: 'wait' } : { kind: 'transfer', to: next };
}

function replaceDecommissioned(view: GroupView, brokers: readonly BrokerRecord[]): MembershipStep {
  const { voters, learners } = view.config;
  const leaving = new Set(brokers.filter((b) => b.decommissioned).map((b) => b.id));
  const departing = voters.find((id) => leaving.has(id));
  if (departing === undefined) return { kind: 'wait' };
  const staying = voters.filter((id) => !leaving.has(id));
  if (staying.length === 0) return { kind: 'wait' };
  if (staying.length < Math.min(MIN_CONTROLLERS, voters.length)) {
    const successor = brokers.find((b) => !b.fenced && !b.decommissioned && learners.includes(b.id) && view.caughtUp(b.id));
    if (successor) return { kind: 'change', change: { type: 'addVoter', nodeId: successor.id } };
  }
  return demote(view, departing, staying);
}

/** One step of nextMetadataStep on the metadata leader; the end of a controller change goes to the log. */
export function maintainMetadataMembership(metadata: ReplicatedPartition, state: ClusterState, propose: (command: MetadataCommand) => void): void {
  const target = state.controllerChange;
  const step = nextMetadataStep(groupView(metadata), state.brokers(), target);
  try {
    if (step.kind === 'change') metadata.proposeConfChange(step.change);
    else if (step.kind === 'transfer') metadata.transferLeadership(step.to);
    else if (step.kind === 'done' && target) propose({ type: 'completeControllerChange', target: [...target] });
  } catch (err) {
    if (!(err instanceof RaftError)) throw err;
  }
}
