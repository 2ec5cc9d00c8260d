import { Admin, type Cluster, Consumer, GregorError, type Producer } from '@gregor/client';
import type { QoS } from 'mqtt-packet';
import { QOS_HEADER, qosOf } from './mqtt-records';
import { topicMatches } from './topic-filter';

/** The compacted topic holding each MQTT topic's retained message, keyed by the MQTT topic. */
export const RETAINED_TOPIC = '_mqtt-retained';

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
}

export interface RetainedStoreOptions {
  cluster: Cluster;
  producer: Producer;
  /** Replicas of the retained topic when this broker creates it (asked once the cluster answers). */
  replicationFactor(): number;
  onError(error: unknown): void;
}

/**
 * Retained messages as a table: the compacted topic is the store (every broker writes there and
 * reads all of it), and each broker keeps the table in memory to answer subscribes. Compaction keeps
 * the topic at one record per MQTT topic, and an empty retained payload is a tombstone.
 */
export class RetainedStore {
  private readonly table = new Map<string, RetainedMessage>();
  private consumer: Consumer | null = null;
  private caughtUp!: () => void;
  /** Resolves once the table holds everything the topic held when the broker started. */
  readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));
  private closed = false;

  constructor(private readonly options: RetainedStoreOptions) {}

  /** Creates the topic if need be, then tails it from its start; retries until the cluster answers. */
  async start(): Promise<void> {
    const { cluster } = this.options;
    const admin = new Admin({ cluster });
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.ensureTopic(admin);
        const [end] = await admin.listOffsets(RETAINED_TOPIC, 'latest', [0]);
        this.consumer = new Consumer({ cluster, autoOffsetReset: 'earliest', maxBufferedBytes: 1024 * 1024 });
        await this.consumer.assign([{ topic: RETAINED_TOPIC, partition: 0 }]);
        await this.tail(end?.offset ?? 0);
        return;
      } catch (err) {
        await this.consumer?.close();
        this.consumer = null;
        if (this.closed) return;
        if (attempt > 0) this.options.onError(err);
        await new Promise((resolve) => setTimeout(resolve, cluster.backoffDelay(attempt)));
      }
    }
  }

  private async ensureTopic(admin: Admin): Promise<void> {
    try {
      await admin.createTopic(RETAINED_TOPIC, { partitions: 1, replicationFactor: this.options.replicationFactor(), configs: { 'cleanup.policy': 'compact' } });
    } catch (err) {
      if (GregorError.from(err).code !== 'ALREADY_EXISTS') throw err;
    }
  }

  private async tail(end: number): Promise<void> {
    if (end === 0) this.caughtUp();
    for await (const batch of this.consumer!.batches()) {
      for (const record of batch) {
        const topic = record.key?.toString();
        if (topic === undefined) continue;
        if (record.value === null || record.value.length === 0) this.table.delete(topic);
        else this.table.set(topic, { topic, payload: record.value, qos: qosOf(record.headers.find((h) => h.key === QOS_HEADER)?.value) });
        if (record.offset + 1 >= end) this.caughtUp();
      }
    }
  }

  /** Stores (or, with an empty payload, clears) a topic's retained message once the topic has it committed. */
  async put(message: RetainedMessage): Promise<void> {
    const empty = message.payload.length === 0;
    await this.options.producer.send(RETAINED_TOPIC, { key: message.topic, value: empty ? null : message.payload, headers: { [QOS_HEADER]: String(message.qos) } });
    // A subscriber on this broker sees its own retain at once, before the tail brings it back.
    if (empty) this.table.delete(message.topic);
    else this.table.set(message.topic, message);
  }

  matching(filter: string): RetainedMessage[] {
    return [...this.table.values()].filter((m) => topicMatches(filter, m.topic));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.caughtUp();
    await this.consumer?.close();
  }
}
