import type { Assignor } from './assignor';
import { AssignmentBuilder, compareMembers, compareStrings, existingTopics } from './assignment-builder';

/**
 * Kafka's RoundRobinAssignor: every subscribed partition, by topic then partition, is dealt to
 * the next member in Kafka's member order, passing over members not subscribed to its topic.
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(members, partitionCounts) {
    const sorted = [...members].sort(compareMembers);
    const subscriptions = sorted.map((member) => new Set(existingTopics(member, partitionCounts)));
    const topics = [...new Set(subscriptions.flatMap((topicSet) => [...topicSet]))].sort(compareStrings);
    const builder = new AssignmentBuilder(members);
    let next = 0;
    for (const topic of topics) {
      for (let p = 0; p < partitionCounts.get(topic)!; p++) {
        while (!subscriptions[next].has(topic)) next = (next + 1) % sorted.length;
        builder.add(sorted[next].memberId, topic, p);
        next = (next + 1) % sorted.length;
      }
    }
    return builder.build();
  },
};
