import type { TopicPartitionList } from '@gregor/proto';
import type { GroupMemberSubscription } from './assignor';

/** Collects partitions per member and gives them in the Assignor's result shape: every member present, topics and partitions in order. */
export class AssignmentBuilder {
  private readonly byMember = new Map<string, Map<string, number[]>>();

  constructor(members: readonly GroupMemberSubscription[]) {
    for (const member of members) this.byMember.set(member.memberId, new Map());
  }

  add(memberId: string, topic: string, partition: number): void {
    const topics = this.byMember.get(memberId);
    if (topics === undefined) throw new Error(`assignment to ${memberId}, who is not in the group`);
    const partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, [partition]);
    else partitions.push(partition);
  }

  build(): Map<string, TopicPartitionList[]> {
    const result = new Map<string, TopicPartitionList[]>();
    for (const [memberId, topics] of this.byMember) {
      const lists = [...topics.keys()].sort(compareStrings).map((topic) => ({ topic, partitions: [...topics.get(topic)!].sort((a, b) => a - b) }));
      result.set(memberId, lists);
    }
    return result;
  }
}

/** Java's String.compareTo (UTF-16 code units), which Kafka's assignors sort by; localeCompare would differ. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Kafka's MemberInfo order: static members first by group instance id, then dynamic ones by member id. */
export function compareMembers(a: GroupMemberSubscription, b: GroupMemberSubscription): number {
  if (a.groupInstanceId !== '' && b.groupInstanceId !== '') return compareStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== '') return -1;
  if (b.groupInstanceId !== '') return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** The member's subscribed topics that exist, each once, in order. */
export function existingTopics(member: GroupMemberSubscription, partitionCounts: ReadonlyMap<string, number>): string[] {
  return [...new Set(member.subscription.topics)].filter((topic) => partitionCounts.has(topic)).sort(compareStrings);
}
