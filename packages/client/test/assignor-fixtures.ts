import fc from 'fast-check';
import type { TopicPartitionList } from '@gregor/proto';
import type { GroupMemberSubscription } from '../src/consumer/assignors';

export type Assignment = Map<string, TopicPartitionList[]>;

export function member(memberId: string, topics: string[], options: { owned?: TopicPartitionList[]; generation?: number; groupInstanceId?: string } = {}): GroupMemberSubscription {
  return {
    memberId,
    groupInstanceId: options.groupInstanceId ?? '',
    subscription: { topics, userData: null, ownedPartitions: options.owned ?? [], generation: options.generation ?? -1, rackId: null },
  };
}

/** The same members, each now owning what `assignment` gave it, in generation `generation`. */
export function owning(members: readonly GroupMemberSubscription[], assignment: Assignment, generation: number): GroupMemberSubscription[] {
  return members.map((m) => ({ ...m, subscription: { ...m.subscription, ownedPartitions: assignment.get(m.memberId) ?? [], generation } }));
}

export const key = (topic: string, partition: number): string => `${topic}/${partition}`;

export function keysOf(lists: readonly TopicPartitionList[]): string[] {
  return lists.flatMap(({ topic, partitions }) => partitions.map((p) => key(topic, p)));
}

/** Each member's partitions as 'topic/partition' strings, for readable expectations. */
export function flat(assignment: Assignment): Record<string, string[]> {
  return Object.fromEntries([...assignment].map(([id, lists]) => [id, keysOf(lists)]));
}

/** Partition key to every member given it. */
export function holders(assignment: Assignment): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const [memberId, lists] of assignment) {
    for (const k of keysOf(lists)) result.set(k, [...(result.get(k) ?? []), memberId]);
  }
  return result;
}

/** Every partition of an existing topic some member subscribes to. */
export function subscribedPartitions(members: readonly GroupMemberSubscription[], counts: ReadonlyMap<string, number>): string[] {
  const topics = new Set(members.flatMap((m) => m.subscription.topics).filter((t) => counts.has(t)));
  return [...topics].flatMap((t) => Array.from({ length: counts.get(t)! }, (_, p) => key(t, p)));
}

export function counts(assignment: Assignment): number[] {
  return [...assignment.values()].map((lists) => keysOf(lists).length);
}

export const spread = (values: number[]): number => Math.max(...values) - Math.min(...values);

/** Kafka's validateCooperativeAssignment: no partition a member gives up this round is added to another member in it. */
export function handedOverWhileOwned(members: readonly GroupMemberSubscription[], assignment: Assignment): string[] {
  const added = new Set<string>();
  const revoked = new Set<string>();
  for (const m of members) {
    const owned = new Set(keysOf(m.subscription.ownedPartitions));
    const assigned = new Set(keysOf(assignment.get(m.memberId) ?? []));
    for (const k of assigned) if (!owned.has(k)) added.add(k);
    for (const k of owned) if (!assigned.has(k)) revoked.add(k);
  }
  return [...added].filter((k) => revoked.has(k));
}

const TOPICS = ['alpha', 'beta', 'gamma', 'delta'];

/** Topic name to partition count; 'missing' is never among them, so subscribing to it tests topics that do not exist. */
export const partitionCounts = fc
  .tuple(...TOPICS.map(() => fc.integer({ min: 0, max: 9 })))
  .map((partitions) => new Map(TOPICS.map((t, i) => [t, partitions[i]] as const)));

const topicSubset = fc.subarray([...TOPICS, 'missing'], { minLength: 1 });

interface GroupShape {
  counts: Map<string, number>;
  members: GroupMemberSubscription[];
}

function group(topicsFor: fc.Arbitrary<string[][]>): fc.Arbitrary<GroupShape> {
  return fc.tuple(partitionCounts, topicsFor, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 })).map(([c, topicLists, isStatic]) => ({
    counts: c,
    // Static members' instance ids run against their member ids, so sorting by the wrong one shows.
    members: topicLists.map((topics, i) => member(`member-${i}`, topics, { groupInstanceId: isStatic[i] ? `instance-${9 - i}` : '' })),
  }));
}

export const anyGroup = group(fc.array(topicSubset, { minLength: 1, maxLength: 8 }));

export const identicalGroup = group(fc.tuple(topicSubset, fc.integer({ min: 1, max: 8 })).map(([topics, n]) => Array.from({ length: n }, () => topics)));

/** Adds random ownedPartitions and generations, including stale, conflicting and invalid claims. */
export function withRandomOwnership(shape: GroupShape): fc.Arbitrary<GroupShape> {
  const claim = fc.record({ topic: fc.constantFrom(...TOPICS, 'missing'), partitions: fc.uniqueArray(fc.integer({ min: 0, max: 10 }), { maxLength: 4 }) });
  return fc.array(fc.tuple(fc.array(claim, { maxLength: 3 }), fc.integer({ min: -1, max: 3 })), { minLength: shape.members.length, maxLength: shape.members.length }).map((owned) => ({
    counts: shape.counts,
    members: shape.members.map((m, i) => ({ ...m, subscription: { ...m.subscription, ownedPartitions: owned[i][0], generation: owned[i][1] } })),
  }));
}
