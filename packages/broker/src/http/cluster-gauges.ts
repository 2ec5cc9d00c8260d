import { Gauge, type Registry } from 'prom-client';
import type { BrokerContext } from '../context';
import { hostsOf } from '../controller/reassignment-rules';

/** Partition counts from this broker's copy of the metadata. */
interface PartitionHealth {
  /** Led by this broker, with a replica on a fenced broker. */
  underReplicated: number;
  /** With no live leader: none recorded, or recorded on a fenced broker. */
  offline: number;
}

function partitionHealth(ctx: BrokerContext): PartitionHealth {
  const { cluster } = ctx;
  const fenced = new Set(cluster.state.brokers().filter((b) => b.fenced).map((b) => b.id));
  const health: PartitionHealth = { underReplicated: 0, offline: 0 };
  for (const topic of cluster.state.topics()) {
    for (const assignment of topic.assignments) {
      if (assignment.leader === 0 || fenced.has(assignment.leader)) health.offline++;
      else if (assignment.leader === cluster.brokerId && hostsOf(assignment).some((id) => fenced.has(id))) health.underReplicated++;
    }
  }
  return health;
}

/** Runs `collect` once the broker's parts are open; before that the gauge shows nothing. */
function whenOpen(collect: () => void): () => void {
  return () => {
    try {
      collect();
    } catch {
      // Starting: the metadata is not open yet.
    }
  };
}

/**
 * Cluster-wide counts as this broker sees them. Offline partitions are counted by the controller
 * leader only (as Kafka's OfflinePartitionsCount), so a sum over brokers counts each once;
 * under-replicated ones by their leader.
 */
export function clusterGauges(ctx: BrokerContext, registers: Registry[]): void {
  const underReplicated: Gauge = new Gauge({
    name: 'gregor_under_replicated_partitions',
    help: 'Partitions this broker leads that have a replica on a fenced broker',
    registers,
    collect: whenOpen(() => underReplicated.set(partitionHealth(ctx).underReplicated)),
  });
  const offline: Gauge = new Gauge({
    name: 'gregor_offline_partitions',
    help: 'Partitions without a live leader (reported by the controller leader; 0 elsewhere)',
    registers,
    collect: whenOpen(() => offline.set(ctx.cluster.controller.isLeader ? partitionHealth(ctx).offline : 0)),
  });
  const controller: Gauge = new Gauge({
    name: 'gregor_controller_leader',
    help: '1 where this broker leads the metadata log, else 0',
    registers,
    collect: whenOpen(() => controller.set(ctx.cluster.controller.isLeader ? 1 : 0)),
  });
  const brokers: Gauge<'state'> = new Gauge({
    name: 'gregor_cluster_brokers',
    help: 'Brokers registered in the cluster metadata, alive or fenced (missed their heartbeats)',
    labelNames: ['state'],
    registers,
    collect: whenOpen(() => {
      const all = ctx.cluster.state.brokers();
      const fenced = all.filter((b) => b.fenced).length;
      brokers.set({ state: 'alive' }, all.length - fenced);
      brokers.set({ state: 'fenced' }, fenced);
    }),
  });
}
