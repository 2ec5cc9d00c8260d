import type { GroupMemberSubscription } from './assignor';
import type { PartitionIndex } from './partition-index';

export interface Ownership {
  /** Partition id to the index of the member that keeps it unless balance moves it. */
  owner: Map<number, number>;
  /** Every partition some member says it owns: only its owner may be handed it, since a member consumes what it claims until it revokes it. */
  claimed: Set<number>;
}

/**
 * Who owns what, from the members' ownedPartitions: of the members claiming a partition, the one
 * with the highest subscription generation, if it is alone in that generation and still
 * subscribed to the topic; a tie in the highest generation leaves the partition with no owner.
 */
export function resolveOwnership(members: readonly GroupMemberSubscription[], topicsOf: readonly ReadonlySet<string>[], index: PartitionIndex): Ownership {
  const best = new Map<number, { member: number; generation: number; tied: boolean }>();
  members.forEach((member, i) => {
    const generation = member.subscription.generation;
    for (const { topic, partitions } of member.subscription.ownedPartitions) {
      for (const partition of new Set(partitions)) {
        const id = index.id(topic, partition);
        if (id === undefined) continue;
        const current = best.get(id);
        if (current === undefined || generation > current.generation) best.set(id, { member: i, generation, tied: false });
        else if (generation === current.generation && current.member !== i) current.tied = true;
      }
    }
  });
  const owner = new Map<number, number>();
  for (const [id, claim] of best) {
    if (!claim.tied && topicsOf[claim.member].has(index.topic(id))) owner.set(id, claim.member);
  }
  return { owner, claimed: new Set(best.keys()) };
}
