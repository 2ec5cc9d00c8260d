import type { ListReassignmentsResponse, PartitionReassignment, ReassignmentStatus } from '@gregor/proto';
import type { BrokerContext } from '../context';
import type { PartitionMove } from '../controller/metadata-commands';
import { planDecommission } from '../controller/replica-plan';
import { eligibleBrokers, sameMembers } from '../controller/reassignment-rules';
import { BrokerError } from '../errors';
import { gatherReplicaStates } from '../services/cluster-status';

const MIB = 1024 * 1024;
const METADATA_TIMEOUT_MS = 15_000;

/** A move named by topic and partition, as the caller gave it, resolved against the metadata. */
export function resolveMove(ctx: BrokerContext, request: PartitionReassignment): PartitionMove {
  const topic = ctx.cluster.state.topic(request.topic);
  if (!topic) throw new BrokerError('UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(request.topic)}`);
  if (!Number.isInteger(request.partition) || request.partition < 0 || request.partition >= topic.partitions) {
    throw new BrokerError('UNKNOWN_PARTITION', `unknown partition ${request.partition} of topic ${JSON.stringify(request.topic)} (it has ${topic.partitions})`);
  }
  return { topicId: topic.topicId, partition: request.partition, target: [...(request.replicas ?? [])] };
}

/** Starts the moves (all or none) and returns once this broker's metadata shows them started. */
export async function reassignPartitions(ctx: BrokerContext, requests: readonly PartitionReassignment[], throttleMbPerSec: number): Promise<void> {
  if (!Number.isFinite(throttleMbPerSec) || throttleMbPerSec < 0) {
    throw new BrokerError('INVALID_REQUEST', `throttle must be a non-negative number of MB/s, got ${throttleMbPerSec}`);
  }
  const moves = requests.map((r) => resolveMove(ctx, r));
  await ctx.cluster.propose({ type: 'reassignPartitions', moves, throttleBytesPerSec: Math.round(throttleMbPerSec * MIB), time: Date.now() });
  await awaitStarted(ctx, moves);
}

/** A CLI that lists moves right after starting them must see them, whichever broker it asks. */
export function awaitStarted(ctx: BrokerContext, moves: readonly PartitionMove[]): Promise<void> {
  const { state } = ctx.cluster;
  const started = (move: PartitionMove): boolean => {
    const assignment = state.topics().find((t) => t.topicId === move.topicId)?.assignments[move.partition];
    return assignment !== undefined && (assignment.reassignment !== undefined || sameMembers(assignment.replicas, move.target));
  };
  return ctx.cluster.awaitMetadata(() => moves.every(started), METADATA_TIMEOUT_MS);
}

export async function cancelReassignment(ctx: BrokerContext, topic: string, partition: number): Promise<void> {
  const move = resolveMove(ctx, { topic, partition, replicas: [] });
  await ctx.cluster.propose({ type: 'cancelReassignment', topicId: move.topicId, partition });
  await ctx.cluster.awaitMetadata(() => ctx.cluster.state.topic(topic)?.assignments[partition]?.reassignment?.cancelled !== false, METADATA_TIMEOUT_MS);
}

/** Every move in progress, with the Raft membership its leader reports and each new replica's catch-up. */
export async function listReassignments(ctx: BrokerContext): Promise<ListReassignmentsResponse> {
  const states = await gatherReplicaStates(ctx);
  const reassignments: ReassignmentStatus[] = [];
  for (const topic of ctx.cluster.state.topics()) {
    topic.assignments.forEach((assignment, partition) => {
      const move = assignment.reassignment;
      if (!move) return;
      const here = states.filter((s) => s.topic === topic.name && s.partition === partition);
      const leader = here.filter((s) => s.role === 'leader').sort((a, b) => b.term - a.term)[0];
      reassignments.push({
        topic: topic.name,
        partition,
        replicas: assignment.replicas,
        target: move.target,
        cancelled: move.cancelled,
        startedAtMs: move.startedAt,
        throttleMbPerSec: move.throttleBytesPerSec / MIB,
        leader: leader?.brokerId ?? 0,
        voters: leader?.voters ?? [],
        learners: leader?.learners ?? [],
        adding: move.target
          .filter((id) => !assignment.replicas.includes(id))
          .map((brokerId) => {
            const replica = here.find((s) => s.brokerId === brokerId);
            return {
              brokerId,
              bytes: replica?.sizeBytes ?? 0,
              totalBytes: leader?.sizeBytes ?? 0,
              logEndOffset: replica?.logEndOffset ?? -1,
              leaderLogEndOffset: leader?.logEndOffset ?? -1,
            };
          }),
      });
    });
  }
  return { reassignments };
}

/**
 * Calls off broker `id`'s decommission: its moves still under way go back to the replicas they
 * started from (returned), and the broker takes new replicas again. What already moved stays moved.
 */
export async function cancelDecommission(ctx: BrokerContext, id: number): Promise<PartitionReassignment[]> {
  const { cluster } = ctx;
  const broker = cluster.state.broker(id);
  if (!broker) throw new BrokerError('INVALID_REPLICA_ASSIGNMENT', `broker ${id} does not exist`);
  if (!broker.decommissioned) throw new BrokerError('INVALID_REQUEST', `broker ${id} is not being decommissioned`);
  const returning = cluster.state.topics().flatMap((topic) =>
    topic.assignments.flatMap((a, partition) =>
      a.reassignment && !a.reassignment.cancelled && a.replicas.includes(id) && !a.reassignment.target.includes(id) ? [{ topic: topic.name, partition, replicas: a.replicas.slice() }] : [],
    ),
  );
  await cluster.propose({ type: 'cancelDecommission', id });
  return returning;
}

/**
 * Marks broker `id` decommissioned and starts the moves that take each of its replicas to the
 * least loaded other broker, keeping every partition's replication factor; refused whole when
 * the other brokers cannot hold some partition's factor, or when it is the last controller.
 */
export async function decommissionBroker(ctx: BrokerContext, id: number): Promise<PartitionReassignment[]> {
  const { cluster } = ctx;
  const { state } = cluster;
  const broker = state.broker(id);
  if (!broker) throw new BrokerError('INVALID_REPLICA_ASSIGNMENT', `broker ${id} does not exist`);
  if (broker.decommissioned) throw new BrokerError('INVALID_REQUEST', `broker ${id} is already decommissioned`);
  const voters = cluster.controller.replica.node.raft.tracker.config.voters;
  if (voters.length === 1 && voters[0] === id) {
    throw new BrokerError('INVALID_REQUEST', `broker ${id} is the cluster's only controller: the metadata log would have no voter left`);
  }
  const topics = state.topics();
  const partitions = topics.flatMap((topic) =>
    topic.assignments
      .map((assignment, partition) => ({ topic: topic.name, partition, replicas: assignment.replicas, bytes: 0 }))
      .filter((p) => p.replicas.includes(id)),
  );
  const candidates = eligibleBrokers(state.brokers()).map((b) => ({ id: b.id, ...(b.rack ? { rack: b.rack } : {}) }));
  const planned = planDecommission(candidates, partitions, id);
  const moves = planned.map((m) => ({ topicId: state.topic(m.topic)!.topicId, partition: m.partition, target: m.to }));
  await cluster.propose({ type: 'decommissionBroker', id, moves, time: Date.now() });
  await awaitStarted(ctx, moves);
  return planned.map((m) => ({ topic: m.topic, partition: m.partition, replicas: m.to }));
}
