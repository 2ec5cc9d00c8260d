import type { BrokerContext } from '../context';

/**
 * Why this broker should not take traffic yet, if it should not: it has not joined the cluster
 * (registered and not fenced), its copy of the metadata lags what it knows to be committed, or a
 * partition it leads has too few voters on live brokers to commit. Empty when ready.
 */
export function unreadyReasons(ctx: BrokerContext): string[] {
  let cluster;
  try {
    cluster = ctx.cluster;
    void ctx.topics;
  } catch {
    return ['the broker is starting'];
  }
  const reasons: string[] = [];
  const self = cluster.state.broker(cluster.brokerId);
  if (!self) reasons.push('not registered in the cluster metadata yet');
  else if (self.fenced) reasons.push('fenced: the controller has not had its heartbeats');
  const metadata = cluster.controller.replica.node.status();
  if (cluster.controller.leaderId === 0) reasons.push('the metadata log has no leader');
  else if (metadata.applied < metadata.commit) reasons.push(`metadata applied to ${metadata.applied} of ${metadata.commit} committed`);
  const fenced = new Set(cluster.state.brokers().filter((b) => b.fenced).map((b) => b.id));
  for (const topic of ctx.topics.list()) {
    for (const replica of topic.partitions) {
      if (!replica?.replication.isLeader) continue;
      const { voters } = replica.replication.node.status().config;
      const live = voters.filter((id) => !fenced.has(id)).length;
      if (live < Math.floor(voters.length / 2) + 1) reasons.push(`${replica.name} has ${live} of ${voters.length} voters on live brokers, fewer than a majority`);
    }
  }
  return reasons;
}
