import { Admin, type Consumer, type ConsumerRecord, type TopicPartition, type TopicPartitionOffset } from '@gregor/client';

/** How often the topics read are looked up for partitions added since, ms. */
export const PARTITION_REFRESH_MS = 5000;

/** What a LogSubscription reads records from: whole log topics, live or from a session's positions. */
export interface RecordSource {
  assignTopic(topic: string): Promise<void>;
  assignment(): TopicPartition[];
  /** The next offset the source yields for the partition. */
  position(tp: TopicPartition): number;
  batches(): AsyncIterable<ConsumerRecord[]>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

function keyOf(tp: TopicPartition): string {
  return `${tp.topic}/${tp.partition}`;
}

/**
 * A consumer of whole topics that also reads the partitions added to them later. Every record of
 * such a partition was published after the subscription, so it starts at its first record, unless
 * the session's group committed a position there: a subscriber sees what is published to the new
 * partitions as it does the old ones.
 */
export class TopicsConsumer implements RecordSource {
  private readonly admin: Admin;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  /** `onAdded`: partitions just assigned, at the positions they start from. */
  constructor(
    readonly consumer: Consumer,
    private readonly onAdded: (partitions: TopicPartition[]) => void = () => {},
    private readonly refreshMs = PARTITION_REFRESH_MS,
  ) {
    this.admin = new Admin({ cluster: consumer.cluster });
  }

  async assignTopic(topic: string): Promise<void> {
    await this.consumer.assignTopic(topic);
    this.follow();
  }

  /** Reads these partitions from these offsets, and whatever partitions their topics gain. */
  async assignAt(partitions: TopicPartitionOffset[]): Promise<void> {
    for (const tp of partitions) await this.consumer.assign([tp], tp.offset);
    this.follow();
  }

  private follow(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = null));
    }, this.refreshMs);
    this.timer.unref();
  }

  /** Assigns the partitions added to the topics read; a lookup that fails is tried at the next tick. */
  private async refresh(): Promise<void> {
    const assigned = new Set(this.consumer.assignment().map(keyOf));
    for (const topic of new Set(this.consumer.assignment().map((tp) => tp.topic))) {
      try {
        const description = await this.admin.describeTopic(topic);
        const added = description.partitions.map((p) => ({ topic, partition: p.partition })).filter((tp) => !assigned.has(keyOf(tp)));
        if (added.length === 0) continue;
        await this.consumer.assign(added, 'earliest');
        this.onAdded(added);
      } catch {
        // Unreachable for now, or closed meanwhile: the next tick looks again, or stops.
      }
    }
  }

  assignment(): TopicPartition[] {
    return this.consumer.assignment();
  }

  position(tp: TopicPartition): number {
    return this.consumer.position(tp);
  }

  batches(): AsyncIterable<ConsumerRecord[]> {
    return this.consumer.batches();
  }

  commit(offsets: TopicPartitionOffset[]): Promise<void> {
    return this.consumer.commit(offsets);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A refresh under way finds the consumer closed: it opens no stream.
    await this.consumer.close();
  }
}
