import { tpKey, type TopicPartition, type TopicPartitionOffset } from './topic-partitions';

/**
 * Which positions are safe to commit for at-least-once delivery. A position moves past a record
 * when the record is handed to the application, but the record counts as processed only once the
 * application comes back for more (Kafka's rule: poll() commits what the previous poll returned).
 * While the application waits for records, everything handed out so far is processed.
 */
export class ConsumedOffsets {
  /** Positions past records the application may still be processing. */
  private readonly handedOut = new Map<string, TopicPartitionOffset>();
  private readonly processed = new Map<string, TopicPartitionOffset>();
  private polling = false;

  /** The partition's position is now `offset` (a record handed out, a seek, a skipped control batch). */
  moved(key: string, tp: TopicPartition, offset: number): void {
    this.handedOut.set(key, { topic: tp.topic, partition: tp.partition, offset });
  }

  /** The application asks for records: what it was handed before is processed. */
  pulled(): void {
    this.polling = true;
    for (const [key, position] of this.handedOut) this.processed.set(key, position);
    this.handedOut.clear();
  }

  /** The application has records to process. */
  handingOut(): void {
    this.polling = false;
  }

  /** Positions that only cover processed records. */
  safe(): TopicPartitionOffset[] {
    return this.polling ? this.all() : [...this.processed.values()];
  }

  /** Every position, for a consumer that is closing: the application is done with all it was handed. */
  all(): TopicPartitionOffset[] {
    return [...new Map([...this.processed, ...this.handedOut]).values()];
  }

  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      this.handedOut.delete(tpKey(tp));
      this.processed.delete(tpKey(tp));
    }
  }
}
