import type { BrokerNode, DescribeClusterResponse, PartitionStatus } from '@gregor/proto';
import type { BrokerContext } from '../context';
import type { ClusterTopic } from '../controller/metadata-commands';
import { hostsOf } from '../controller/reassignment-rules';

export interface ReplicaState {
  topic: string;
  partition: number;
  brokerId: number;
  role: string;
  leader: number;
  term: number;
  logEndOffset: number;
  highWatermark: number;
  sizeBytes: number;
  voters: number[];
  learners: number[];
}

const STATUS_TIMEOUT_MS = 2000;

/** Replicas a broker holds or is to hold, moves included. */
export function replicaCount(topics: readonly ClusterTopic[], brokerId: number): number {
  let count = 0;
  for (const topic of topics) for (const assignment of topic.assignments) if (hostsOf(assignment).includes(brokerId)) count++;
  return count;
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** Every replica's state: this broker's, and each live broker's as it answers within a deadline. */
export async function gatherReplicaStates(ctx: BrokerContext): Promise<ReplicaState[]> {
  const { cluster } = ctx;
  const states: ReplicaState[] = cluster.replicaStates() as ReplicaState[];
  await Promise.all(
    cluster.state.brokers()
      .filter((b) => !b.fenced && b.id !== cluster.brokerId)
      .map((b) =>
        cluster.clients
          .call<object, { replicas: ReplicaState[] }>(b.id, 'replicaStatus', {}, STATUS_TIMEOUT_MS)
          .then((response) => states.push(...(response.replicas ?? [])))
          .catch(() => undefined),
      ),
  );
  return states;
}

/**
 * The cluster as this broker sees it: brokers and whether they heartbeat, the controller leader,
 * and every partition's replicas with their Raft role and lag, asked of each live broker.
 */
export async function describeCluster(ctx: BrokerContext): Promise<DescribeClusterResponse> {
  const { cluster } = ctx;
  const brokers = cluster.state.brokers();
  const states = await gatherReplicaStates(ctx);
  const partitions: PartitionStatus[] = [];
  for (const topic of cluster.state.topics()) {
    topic.assignments.forEach((assignment, partition) => {
      const here = states.filter((s) => s.topic === topic.name && s.partition === partition);
      const leaderState = here.filter((s) => s.role === 'leader').sort((a, b) => b.term - a.term)[0];
      const highWatermark = leaderState?.highWatermark ?? Math.max(-1, ...here.map((s) => s.highWatermark));
      partitions.push({
        topic: topic.name,
        partition,
        leader: leaderState?.brokerId ?? 0,
        replicas: assignment.replicas,
        highWatermark,
        replicaStates: assignment.replicas.map((brokerId) => {
          const state = here.find((s) => s.brokerId === brokerId);
          return state
            ? { brokerId, role: state.role, logEndOffset: state.logEndOffset, lag: Math.max(0, highWatermark - state.logEndOffset) }
            : { brokerId, role: 'unreachable', logEndOffset: -1, lag: -1 };
        }),
      });
    });
  }
  const topics = cluster.state.topics();
  return {
    clusterId: cluster.state.clusterId,
    controllerId: cluster.controller.leaderId,
    brokers: brokers.map((b): BrokerNode => {
      const replicas = replicaCount(topics, b.id);
      return {
        id: b.id,
        ...splitAddress(b.address),
        alive: !b.fenced,
        rack: b.rack ?? '',
        state: b.decommissioned ? (replicas > 0 ? 'decommissioning' : 'removed') : b.fenced ? 'dead' : 'alive',
        replicas,
        peerAddress: b.peerAddress ?? '',
      };
    }),
    partitions,
    controllers: [...cluster.controller.replica.node.raft.tracker.config.voters].sort((a, b) => a - b),
    controllersTarget: cluster.state.controllerChange ?? [],
  };
}
