import type { BrokerNode, DescribeClusterResponse, PartitionStatus } from '@gregor/proto';
import type { BrokerContext } from '../context';

interface ReplicaState {
  topic: string;
  partition: number;
  brokerId: number;
  role: string;
  leader: number;
  term: number;
  logEndOffset: number;
  highWatermark: number;
}

const STATUS_TIMEOUT_MS = 2000;

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/**
 * The cluster as this broker sees it: brokers and whether they heartbeat, the controller leader,
 * and every partition's replicas with their Raft role and lag, asked of each live broker.
 */
export async function describeCluster(ctx: BrokerContext): Promise<DescribeClusterResponse> {
  const { cluster } = ctx;
  const brokers = cluster.state.brokers();
  const states: ReplicaState[] = cluster.replicaStates() as ReplicaState[];
  await Promise.all(
    brokers
      .filter((b) => !b.fenced && b.id !== cluster.brokerId)
      .map((b) =>
        cluster.clients
          .call<object, { replicas: ReplicaState[] }>(b.id, 'replicaStatus', {}, STATUS_TIMEOUT_MS)
          .then((response) => states.push(...(response.replicas ?? [])))
          .catch(() => undefined),
      ),
  );
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
  return {
    clusterId: cluster.state.clusterId,
    controllerId: cluster.controller.leaderId,
    brokers: brokers.map((b): BrokerNode => ({ id: b.id, ...splitAddress(b.address), alive: !b.fenced })),
    partitions,
  };
}
