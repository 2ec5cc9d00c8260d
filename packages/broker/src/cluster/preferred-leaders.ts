import type { ClusterState } from '../controller/cluster-state';
import type { HostedReplicas } from './hosted-replicas';

/**
 * Leaders spread evenly only while each partition is led by its preferred replica, so a leader
 * that is not hands over to it once that broker is alive again (Raft waits until it caught up).
 */
export function restorePreferredLeaders(brokerId: number, hosted: HostedReplicas, state: ClusterState): void {
  for (const [replica, placement] of hosted.withPlacements()) {
    // A move hands leadership over itself, to its target's replicas.
    if (!replica.isLeader || placement.reassignment) continue;
    const preferred = placement.replicas[0];
    if (preferred === brokerId) continue;
    const broker = state.broker(preferred);
    const progress = replica.node.raft.tracker.progress.get(preferred);
    // A transfer pauses proposals until the target wins; only hand over to a replica that is caught up and answering.
    const caughtUp = progress !== undefined && progress.recentActive && progress.match >= replica.node.raft.log.lastIndex();
    if (broker && !broker.fenced && caughtUp) replica.node.transferLeadership(preferred);
  }
}
