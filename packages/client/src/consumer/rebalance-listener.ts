import type { TopicPartition } from './topic-partitions';

/**
 * Told of the partitions a group member gets and gives up. A rebalance waits for each call, so
 * onRevoked is the place to commit or flush work on those partitions.
 */
export interface RebalanceListener {
  onAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Given up in good order; the partitions can still be committed during this call. */
  onRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Taken away (the member fell out of the group): another member may own them already, commits would fail. Default: onRevoked, as Kafka does. */
  onLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export async function notifyLost(listener: RebalanceListener, partitions: TopicPartition[]): Promise<void> {
  if (listener.onLost) await listener.onLost(partitions);
  else await listener.onRevoked?.(partitions);
}
