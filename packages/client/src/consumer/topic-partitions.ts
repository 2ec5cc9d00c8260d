import type { TopicPartitionList } from '@gregor/proto';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  offset: number;
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** ConsumerProtocol's per-topic lists, topics and partitions sorted so equal sets encode alike. */
export function toLists(tps: readonly TopicPartition[]): TopicPartitionList[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of tps) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic.keys()].sort().map((topic) => ({ topic, partitions: byTopic.get(topic)!.sort((a, b) => a - b) }));
}

export function fromLists(lists: readonly TopicPartitionList[]): TopicPartition[] {
  return lists.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
}

/** The partitions of `from` that are not in `remove`. */
export function without(from: readonly TopicPartition[], remove: readonly TopicPartition[]): TopicPartition[] {
  const removed = new Set(remove.map(tpKey));
  return from.filter((tp) => !removed.has(tpKey(tp)));
}
