/** Numbers every partition of the given topics, topic by topic in order, so sets and maps of partitions are sets and maps of ints. */
export class PartitionIndex {
  private readonly firstId = new Map<string, number>();
  private readonly topicOf: string[] = [];
  private readonly partitionOf: number[] = [];

  constructor(topics: readonly string[], partitionCounts: ReadonlyMap<string, number>) {
    for (const topic of topics) {
      this.firstId.set(topic, this.topicOf.length);
      for (let p = 0; p < (partitionCounts.get(topic) ?? 0); p++) {
        this.topicOf.push(topic);
        this.partitionOf.push(p);
      }
    }
  }

  get size(): number {
    return this.topicOf.length;
  }

  /** undefined for a topic not indexed or a partition it does not have. */
  id(topic: string, partition: number): number | undefined {
    const first = this.firstId.get(topic);
    if (first === undefined || !Number.isInteger(partition) || partition < 0) return undefined;
    const id = first + partition;
    return id < this.topicOf.length && this.topicOf[id] === topic ? id : undefined;
  }

  topic(id: number): string {
    return this.topicOf[id];
  }

  partition(id: number): number {
    return this.partitionOf[id];
  }
}
