import { decodeSubscription, encodeAssignment, type JoinGroupMember, type MemberAssignment } from '@gregor/proto';
import type { Assignor, GroupMemberSubscription } from './assignors/assignor';

export interface LeaderAssignment {
  assignments: MemberAssignment[];
  /** Partition counts of every topic some member subscribes to, as the assignment saw them (absent = no such topic). */
  partitionCounts: Map<string, number>;
  /** Every topic some member subscribes to. */
  topics: string[];
}

/** The leader's half of a rebalance: every member's part, from every member's subscription. */
export function assignGroup(assignor: Assignor, members: readonly JoinGroupMember[], existing: ReadonlyMap<string, number>): LeaderAssignment {
  const subscriptions: GroupMemberSubscription[] = members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    subscription: decodeSubscription(m.metadata),
  }));
  const topics = [...new Set(subscriptions.flatMap((m) => m.subscription.topics))].sort();
  const partitionCounts = new Map<string, number>();
  for (const topic of topics) {
    const count = existing.get(topic);
    if (count !== undefined) partitionCounts.set(topic, count);
  }
  const assigned = assignor.assign(subscriptions, partitionCounts);
  const assignments = subscriptions.map((m) => ({
    memberId: m.memberId,
    assignment: encodeAssignment({ partitions: assigned.get(m.memberId) ?? [] }),
  }));
  return { assignments, partitionCounts, topics };
}
