import type { Assignor, GroupMemberSubscription } from './assignor';
import { AssignmentBuilder, compareMembers, compareStrings, existingTopics } from './assignment-builder';

/**
 * Kafka's RangeAssignor: topic by topic, the members subscribed to it (in Kafka's member order)
 * take contiguous ranges of its partitions, the first (partitions % members) one partition more.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members, partitionCounts) {
    const subscribers = new Map<string, GroupMemberSubscription[]>();
    for (const member of members) {
      for (const topic of existingTopics(member, partitionCounts)) {
        const list = subscribers.get(topic);
        if (list === undefined) subscribers.set(topic, [member]);
        else list.push(member);
      }
    }
    const builder = new AssignmentBuilder(members);
    for (const topic of [...subscribers.keys()].sort(compareStrings)) {
      const sorted = subscribers.get(topic)!.sort(compareMembers);
      const count = partitionCounts.get(topic)!;
      const each = Math.floor(count / sorted.length);
      const extra = count % sorted.length;
      sorted.forEach((member, i) => {
        const start = each * i + Math.min(i, extra);
        const length = each + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) builder.add(member.memberId, topic, p);
      });
    }
    return builder.build();
  },
};
