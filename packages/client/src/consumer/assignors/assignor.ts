import type { ConsumerSubscription, TopicPartitionList } from '@gregor/proto';

/**
 * Eager: every member gives up all its partitions before it rejoins. Cooperative: members keep
 * consuming what they own through a rebalance; a partition that moves is revoked by its owner
 * first and handed to its new owner in the rebalance that follows.
 */
export type RebalanceProtocol = 'eager' | 'cooperative';

export interface GroupMemberSubscription {
  memberId: string;
  /** Static membership id, '' for a dynamic member. */
  groupInstanceId: string;
  subscription: ConsumerSubscription;
}

/**
 * Runs on the group's leader member: from every member's subscription and the partition count of
 * each subscribed topic, which partitions each member reads. Pure and deterministic: the same
 * input always gives the same assignment.
 */
export interface Assignor {
  /** The protocol name sent in JoinGroup; the same names as Kafka's Java client so groups can be shared. */
  readonly name: string;
  readonly rebalanceProtocol: RebalanceProtocol;
  /** Every member id of `members` is a key of the result, with [] when it gets nothing. Topics not in `partitionCounts` do not exist and get no partitions. */
  assign(members: readonly GroupMemberSubscription[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitionList[]>;
}
