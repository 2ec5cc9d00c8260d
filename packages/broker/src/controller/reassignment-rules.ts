import type { BrokerRecord, ClusterTopic, CommandResult, PartitionAssignment, PartitionMove, Reassignment } from './metadata-commands';

export type Refusal = Extract<CommandResult, { ok: false }>;

function refuse(code: string, message: string): Refusal {
  return { ok: false, code, message };
}

/** The brokers that keep a replica of the partition open: its replicas, and during a move every broker involved. */
export function hostsOf(assignment: PartitionAssignment): number[] {
  const hosts = new Set(assignment.replicas);
  for (const id of assignment.reassignment?.involved ?? []) hosts.add(id);
  return [...hosts];
}

/** Brokers that can take a new replica: registered, alive and not decommissioned. */
export function eligibleBrokers(brokers: readonly BrokerRecord[]): BrokerRecord[] {
  return brokers.filter((b) => !b.fenced && !b.decommissioned);
}

/**
 * Checks a batch of moves against the metadata as it stands, so that a batch applies whole or
 * not at all: every partition exists and is not moving already, appears once, and its target
 * is a duplicate-free list of live brokers that differs from its replicas.
 */
export function checkMoves(topics: readonly ClusterTopic[], brokers: readonly BrokerRecord[], moves: readonly PartitionMove[]): Refusal | null {
  if (moves.length === 0) return refuse('INVALID_REQUEST', 'a reassignment names at least one partition');
  const live = new Set(eligibleBrokers(brokers).map((b) => b.id));
  const known = new Set(brokers.map((b) => b.id));
  const seen = new Set<string>();
  for (const move of moves) {
    const topic = topics.find((t) => t.topicId === move.topicId);
    const assignment = topic?.assignments[move.partition];
    if (!topic || !assignment) return refuse('UNKNOWN_PARTITION', `unknown partition ${move.partition} of topic id ${move.topicId}`);
    const name = `${topic.name}-${move.partition}`;
    const key = `${move.topicId}/${move.partition}`;
    if (seen.has(key)) return refuse('INVALID_REQUEST', `${name} is named twice in one reassignment`);
    seen.add(key);
    if (assignment.reassignment) {
      return refuse('REASSIGNMENT_IN_PROGRESS', `${name} is already moving to [${assignment.reassignment.target.join(',')}]: wait for it or cancel it first`);
    }
    if (move.target.length === 0) return refuse('INVALID_REPLICATION_FACTOR', `${name}: the replica list is empty`);
    if (new Set(move.target).size !== move.target.length) return refuse('INVALID_REPLICA_ASSIGNMENT', `${name}: replica list [${move.target.join(',')}] names a broker twice`);
    if (move.target.length > live.size) {
      return refuse('INVALID_REPLICATION_FACTOR', `${name}: ${move.target.length} replicas exceed the ${live.size} live broker(s)`);
    }
    for (const id of move.target) {
      if (!known.has(id)) return refuse('INVALID_REPLICA_ASSIGNMENT', `${name}: broker ${id} does not exist`);
      if (!live.has(id)) return refuse('BROKER_NOT_AVAILABLE', `${name}: broker ${id} is not alive or is decommissioned`);
    }
    if (move.target.join(',') === assignment.replicas.join(',')) {
      return refuse('INVALID_REQUEST', `${name} already has replicas [${move.target.join(',')}]`);
    }
  }
  return null;
}

/**
 * A broker can be decommissioned only while nothing is moving onto it: such a move, finishing
 * after the decommission, would leave it a replica that nothing moves off again.
 */
export function checkNothingMovesOnto(topics: readonly ClusterTopic[], id: number): Refusal | null {
  for (const topic of topics) {
    for (const [partition, assignment] of topic.assignments.entries()) {
      const target = assignment.reassignment?.target;
      if (target?.includes(id) && !assignment.replicas.includes(id)) {
        return refuse('REASSIGNMENT_IN_PROGRESS', `${topic.name}-${partition} is moving onto broker ${id} (to [${target.join(',')}]): wait for it or cancel it first`);
      }
    }
  }
  return null;
}

/**
 * A change of the metadata log's voters: one broker added or one removed, never the last one;
 * an added broker must be alive and staying (a removed one may be down: that is often why).
 */
export function checkControllers(brokers: readonly BrokerRecord[], from: readonly number[], target: readonly number[]): Refusal | null {
  const added = target.filter((id) => !from.includes(id));
  const removed = from.filter((id) => !target.includes(id));
  if (new Set(target).size !== target.length || added.length + removed.length !== 1) {
    return refuse('INVALID_REQUEST', `controllers change one at a time: [${from.join(',')}] cannot become [${target.join(',')}]`);
  }
  if (target.length === 0) return refuse('INVALID_REQUEST', `broker ${removed[0]} is the cluster's only controller: the metadata log would have no voter left`);
  const live = new Set(eligibleBrokers(brokers).map((b) => b.id));
  for (const id of added) {
    if (!brokers.some((b) => b.id === id)) return refuse('INVALID_REPLICA_ASSIGNMENT', `broker ${id} does not exist`);
    if (!live.has(id)) return refuse('BROKER_NOT_AVAILABLE', `broker ${id} is not alive or is decommissioned`);
  }
  return null;
}

export function startedReassignment(assignment: PartitionAssignment, target: number[], throttleBytesPerSec: number, time: number): Reassignment {
  return {
    target,
    involved: [...new Set([...assignment.replicas, ...target])],
    throttleBytesPerSec,
    startedAt: time,
    cancelled: false,
  };
}

/** Sets of brokers compared without order: Raft membership has none, the replica list's order is the leaders' preference. */
export function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
