import type { Assignor } from './assignor';
import { AssignmentBuilder, compareMembers, compareStrings, existingTopics } from './assignment-builder';
import { resolveOwnership } from './ownership';
import { PartitionIndex } from './partition-index';
import { stickyBalance } from './sticky-balance';

/**
 * Kafka's CooperativeStickyAssignor: members keep the partitions they own where balance allows,
 * and a partition that must change owner is left out of this assignment altogether, so its owner
 * revokes it and the rebalance that follows hands it to a new member.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members, partitionCounts) {
    const sorted = [...members].sort(compareMembers);
    const topicsOf = sorted.map((member) => new Set(existingTopics(member, partitionCounts)));
    const index = new PartitionIndex([...new Set(topicsOf.flatMap((topics) => [...topics]))].sort(compareStrings), partitionCounts);
    const { owner, claimed } = resolveOwnership(sorted, topicsOf, index);
    const free = Array.from({ length: index.size }, (_, id) => id).filter((id) => !owner.has(id));
    const target = stickyBalance({ members: sorted.length, kept: owner, free, eligible: (m, id) => topicsOf[m].has(index.topic(id)) });

    const builder = new AssignmentBuilder(members);
    for (const [id, member] of target) {
      if (!claimed.has(id) || owner.get(id) === member) builder.add(sorted[member].memberId, index.topic(id), index.partition(id));
    }
    return builder.build();
  },
};
