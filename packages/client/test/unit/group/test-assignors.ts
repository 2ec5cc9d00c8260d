import type { TopicPartitionList } from '@gregor/proto';
import type { Assignor, GroupMemberSubscription } from '../../../src/consumer/assignors/assignor';
import { toLists, tpKey, type TopicPartition } from '../../../src/consumer/topic-partitions';

/** Partitions dealt round-robin over members sorted by id: where each partition should end up. */
function target(members: readonly GroupMemberSubscription[], counts: ReadonlyMap<string, number>): Map<string, string> {
  const ids = members.map((m) => m.memberId).sort();
  const owner = new Map<string, string>();
  let next = 0;
  for (const topic of [...counts.keys()].sort()) {
    for (let partition = 0; partition < counts.get(topic)!; partition++) owner.set(tpKey({ topic, partition }), ids[next++ % ids.length]);
  }
  return owner;
}

function collect(members: readonly GroupMemberSubscription[], counts: ReadonlyMap<string, number>, keep: (tp: TopicPartition, to: string) => string | null): Map<string, TopicPartitionList[]> {
  const owner = target(members, counts);
  const parts = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  for (const [topic, count] of counts) {
    for (let partition = 0; partition < count; partition++) {
      const tp = { topic, partition };
      const to = keep(tp, owner.get(tpKey(tp))!);
      if (to !== null) parts.get(to)!.push(tp);
    }
  }
  return new Map([...parts].map(([id, tps]) => [id, toLists(tps)]));
}

export const eagerTestAssignor: Assignor = {
  name: 'test-eager',
  rebalanceProtocol: 'eager',
  assign: (members, counts) => collect(members, counts, (_tp, to) => to),
};

/** Keeps a partition where it is owned; one that must move goes to nobody this round (its owner revokes it first). */
export const cooperativeTestAssignor: Assignor = {
  name: 'test-cooperative',
  rebalanceProtocol: 'cooperative',
  assign(members, counts) {
    const ownedBy = new Map<string, string>();
    for (const m of members) {
      for (const { topic, partitions } of m.subscription.ownedPartitions) for (const partition of partitions) ownedBy.set(tpKey({ topic, partition }), m.memberId);
    }
    return collect(members, counts, (tp, to) => {
      const owner = ownedBy.get(tpKey(tp));
      return owner === undefined || owner === to ? to : null;
    });
  },
};
