import { RaftError } from '@gregor/raft';
import type { HostedReplicas } from '../cluster/hosted-replicas';
import type { MetadataCommand } from '../controller/metadata-commands';
import type { Logger } from '../logger';
import type { ReplicatedPartition } from '../replication/replicated-partition';
import { nextMembershipStep, type GroupView } from './membership-step';

/** What a membership decision needs of a group, from its leader's Raft state. */
export function groupView(replica: ReplicatedPartition): GroupView {
  const raft = replica.node.raft;
  const progress = (id: number) => raft.tracker.progress.get(id);
  return {
    config: raft.tracker.config,
    changePending: raft.pendingConfIndex > raft.log.applied,
    leader: raft.id,
    caughtUp: (id) => (progress(id)?.match ?? 0) >= raft.log.committed,
    canLead: (id) => {
      const pr = progress(id);
      return pr !== undefined && pr.recentActive && pr.match >= raft.log.lastIndex() && raft.tracker.config.voters.includes(id);
    },
  };
}

/**
 * Moves every partition this broker leads toward its reassignment's target, one Raft membership
 * change at a time, and reports the end of the move to the metadata once the group is the
 * target. It keeps no state of its own: after a failover or restart the new leader reads the
 * target from the metadata and its group's membership from Raft, and carries on from there.
 */
export function driveReassignments(hosted: HostedReplicas, propose: (command: MetadataCommand) => void, logger: Logger): void {
  for (const [replica, placement] of hosted.withPlacements()) {
    const move = placement.reassignment;
    replica.throttleCatchUp(move && replica.isLeader ? move.throttleBytesPerSec : 0);
    if (!move || !replica.isLeader) continue;
    const step = nextMembershipStep(groupView(replica), move.target);
    try {
      if (step.kind === 'change') {
        replica.proposeConfChange(step.change);
        logger.info('reassignment.step', { partition: `${placement.topic}-${placement.partition}`, change: step.change.type, broker: step.change.nodeId });
      } else if (step.kind === 'transfer') {
        replica.transferLeadership(step.to);
      } else if (step.kind === 'done') {
        propose({ type: 'completeReassignment', topicId: placement.topicId, partition: placement.partition, replicas: move.target });
      }
    } catch (err) {
      // Leadership moved or a change is in flight: the next round looks again.
      if (!(err instanceof RaftError)) throw err;
    }
  }
}
