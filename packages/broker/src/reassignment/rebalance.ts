import type { BrokerContext } from '../context';
import { planRebalance, type RebalancePlan } from '../controller/rebalance-plan';
import { BrokerError } from '../errors';
import { gatherReplicaStates } from '../services/cluster-status';
import { reassignPartitions } from './reassignment-admin';

/**
 * The moves that even out the cluster's brokers that are not decommissioned, sized by each
 * partition's log as its replicas report it. Refused while anything moves (the plan would race
 * the move) or while a broker is down (its replicas' sizes are unknown, and a plan around it
 * would shuffle data that a restart puts back).
 */
export async function planClusterRebalance(ctx: BrokerContext): Promise<RebalancePlan> {
  const { state } = ctx.cluster;
  const moving = state.topics().flatMap((t) => t.assignments.flatMap((a, p) => (a.reassignment ? [`${t.name}-${p}`] : [])));
  if (moving.length > 0) {
    throw new BrokerError('REASSIGNMENT_IN_PROGRESS', `cannot rebalance while ${moving.length} partition(s) move (${moving.slice(0, 5).join(', ')}): wait for them or cancel them first`);
  }
  const brokers = state.brokers().filter((b) => !b.decommissioned);
  const down = brokers.filter((b) => b.fenced).map((b) => b.id);
  if (down.length > 0) {
    throw new BrokerError('BROKER_NOT_AVAILABLE', `cannot rebalance while broker(s) ${down.join(', ')} are down: restart them or decommission them first`);
  }
  const states = await gatherReplicaStates(ctx);
  const sizes = new Map<string, number>();
  for (const s of states) {
    const key = `${s.topic}/${s.partition}`;
    sizes.set(key, Math.max(sizes.get(key) ?? 0, s.sizeBytes ?? 0));
  }
  const partitions = state.topics().flatMap((topic) =>
    topic.assignments.map((assignment, partition) => ({
      topic: topic.name,
      partition,
      replicas: assignment.replicas,
      bytes: sizes.get(`${topic.name}/${partition}`) ?? 0,
    })),
  );
  return planRebalance(
    brokers.map((b) => ({ id: b.id, ...(b.rack ? { rack: b.rack } : {}) })),
    partitions,
  );
}

/** Plans, and unless `dryRun` starts every move of the plan together. */
export async function rebalanceCluster(ctx: BrokerContext, dryRun: boolean, throttleMbPerSec: number): Promise<RebalancePlan> {
  const plan = await planClusterRebalance(ctx);
  if (!dryRun && plan.moves.length > 0) {
    await reassignPartitions(
      ctx,
      plan.moves.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.to })),
      throttleMbPerSec,
    );
  }
  return plan;
}
