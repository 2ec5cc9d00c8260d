import { partitionForKey } from '@gregor/records';

/**
 * Kafka's default partitioning: a keyed record goes to
 * murmur2(key) mod partitions; records without a key stick to one partition
 * until its batch is sent, then to another (so null-key batches fill up).
 */
export class Partitioner {
  private readonly sticky = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  partition(topic: string, key: Buffer | null, partitions: number): number {
    if (key !== null) return partitionForKey(key, partitions);
    let p = this.sticky.get(topic);
    if (p === undefined || p >= partitions) {
      p = Math.floor(this.random() * partitions);
      this.sticky.set(topic, p);
    }
    return p;
  }

  /** A batch of `partition` was sealed: null-key records move to another partition. */
  batchSealed(topic: string, partition: number, partitions: number): void {
    if (this.sticky.get(topic) !== partition || partitions < 2) return;
    const next = (partition + 1 + Math.floor(this.random() * (partitions - 1))) % partitions;
    this.sticky.set(topic, next);
  }
}
