import { RaftError } from '@gregor/raft';
import type { BrokerRecord } from '../controller/metadata-commands';
import type { MembershipStep, GroupView } from '../reassignment/membership-step';
import { groupView } from '../reassignment/reassignment-driver';
import type { ReplicatedPartition } from '../replication/replicated-partition';

/** Decommissioning a controller keeps at least this many metadata voters where brokers allow. */
const MIN_CONTROLLERS = 3;

/**
 * The next change to the metadata log's membership, on its leader: every registered broker
 * follows the log (one that joined after the cluster formed becomes a learner once registered),
 * and a decommissioned controller hands its vote to a caught-up broker before it is demoted to a
 * learner, so the cluster keeps its controller count. One change at a time, as Raft takes them.
 */
export function nextMetadataStep(view: GroupView, brokers: readonly BrokerRecord[]): MembershipStep {
  if (view.changePending) return { kind: 'wait' };
  const { voters, learners } = view.config;
  const missing = brokers.find((b) => !b.fenced && !voters.includes(b.id) && !learners.includes(b.id));
  if (missing) return { kind: 'change', change: { type: 'addLearner', nodeId: missing.id } };
  const leaving = new Set(brokers.filter((b) => b.decommissioned).map((b) => b.id));
  const departing = voters.find((id) => leaving.has(id));
  if (departing === undefined) return { kind: 'wait' };
  const staying = voters.filter((id) => !leaving.has(id));
  if (staying.length === 0) return { kind: 'wait' };
  if (staying.length < Math.min(MIN_CONTROLLERS, voters.length)) {
    const successor = brokers.find((b) => !b.fenced && !b.decommissioned && learners.includes(b.id) && view.caughtUp(b.id));
    if (successor) return { kind: 'change', change: { type: 'addVoter', nodeId: successor.id } };
  }
  if (departing !== view.leader) return { kind: 'change', change: { type: 'addLearner', nodeId: departing } };
  const next = staying.find((id) => view.canLead(id));
  return next === undefined ? { kind: 'wait' } : { kind: 'transfer', to: next };
}

export function maintainMetadataMembership(metadata: ReplicatedPartition, brokers: readonly BrokerRecord[]): void {
  const step = nextMetadataStep(groupView(metadata), brokers);
  try {
    if (step.kind === 'change') metadata.proposeConfChange(step.change);
    else if (step.kind === 'transfer') metadata.transferLeadership(step.to);
  } catch (err) {
    if (!(err instanceof RaftError)) throw err;
  }
}
