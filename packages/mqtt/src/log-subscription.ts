import type { ConsumerRecord, TopicPartition } from '@gregor/client';
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { deliverableOf, type Deliverable } from './mqtt-records';
import { filtersOverlap, topicMatches } from './topic-filter';
import type { RecordSource } from './topics-consumer';
import type { TopicMappings } from './topic-mapping';

/** Where deliveries go: resolves once the packet is written and the socket can take more. */
export type PacketSink = (packet: IPublishPacket) => Promise<void>;

export interface LogSubscriptionOptions {
  /**
   * Where records come from: for a persistent session a consumer in its group, whose committed
   * offsets are where it resumes; for a clean session a share of the broker's live tails.
   */
  source: RecordSource;
  /** Whether positions are committed (a persistent session). */
  persistent: boolean;
  mappings: TopicMappings;
  /** QoS 1 deliveries awaiting PUBACK at most (the client's receive maximum). */
  inflightWindow: number;
  sink: PacketSink;
  /** Positions of a persistent session are committed this often, ms. */
  commitIntervalMs: number;
  onError(error: unknown): void;
}

interface Inflight {
  /** The partition's key and the record's offset; null for a retained message. */
  partition: string | null;
  offset: number;
}

interface Progress {
  tp: TopicPartition;
  /** Every record before this one has been handled (sent, or skipped as unmatched). */
  next: number;
}

/**
 * One connection's subscriptions as a reader of the mapped log topics: every record whose MQTT topic
 * matches a filter goes to the client, in log order per partition. QoS 1 deliveries wait for a slot
 * in the inflight window and the socket's drain, and the consumer stops fetching while 1 MiB waits,
 * so a slow subscriber holds the broker's memory to a bound. A persistent session commits, per
 * partition, the first offset not yet acknowledged: after a reconnect it resumes there, so what was
 * in flight is delivered again and nothing published meanwhile is missed.
 */
export class LogSubscription {
  private readonly filters = new Map<string, QoS>();
  private readonly topics = new Set<string>();
  private readonly consumer: RecordSource;
  private readonly progress = new Map<string, Progress>();
  private readonly inflight = new Map<number, Inflight>();
  private readonly slotWaiters: Array<() => void> = [];
  private nextPacketId = 1;
  private running: Promise<void> | null = null;
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: LogSubscriptionOptions) {
    this.consumer = options.source;
  }

  /** Subscribes a filter: reads every mapped log topic it may match, from the session's position or now. */
  async add(filter: string, qos: QoS): Promise<void> {
    this.filters.set(filter, qos);
    for (const mapping of this.options.mappings.all) {
      if (this.topics.has(mapping.logTopic) || !filtersOverlap(mapping.filter, filter)) continue;
      await this.consumer.assignTopic(mapping.logTopic);
      this.topics.add(mapping.logTopic);
      for (const tp of this.consumer.assignment()) {
        const key = partitionKey(tp);
        if (!this.progress.has(key)) this.progress.set(key, { tp, next: this.consumer.position(tp) });
      }
    }
    if (this.options.persistent) {
      // The start point is saved at once: what is published while the client is away is kept for it.
      await this.commit();
      this.commitTimer ??= setInterval(() => void this.commit().catch(this.options.onError), this.options.commitIntervalMs);
    }
    this.running ??= this.run().catch((err: unknown) => {
      if (!this.closed) this.options.onError(err);
    });
  }

  remove(filter: string): boolean {
    return this.filters.delete(filter);
  }

  /** The filters subscribed, with the QoS granted each. */
  subscribed(): Array<{ filter: string; qos: QoS }> {
    return [...this.filters].map(([filter, qos]) => ({ filter, qos }));
  }

  /** The client's PUBACK of a delivery. */
  acked(packetId: number): void {
    if (!this.inflight.delete(packetId)) return;
    this.slotWaiters.shift()?.();
  }

  /** A retained message for a filter just subscribed, at the QoS the subscription allows. */
  async deliverRetained(message: Deliverable): Promise<void> {
    await this.deliver(message, message.qos, null, 0, true);
  }

  private async run(): Promise<void> {
    for await (const batch of this.consumer.batches()) {
      for (const record of batch) {
        if (this.closed) return;
        await this.handle(record);
      }
    }
  }

  private async handle(record: ConsumerRecord): Promise<void> {
    const key = partitionKey(record);
    let progress = this.progress.get(key);
    if (!progress) this.progress.set(key, (progress = { tp: { topic: record.topic, partition: record.partition }, next: record.offset }));
    const deliverable = this.deliverableOf(record);
    const granted = deliverable === null ? null : this.grantedFor(deliverable.topic);
    if (deliverable !== null && granted !== null) {
      // Closed before it was handed over: the record stays unconsumed, for the session to resume at.
      if (!(await this.deliver(deliverable, Math.min(granted, deliverable.qos) as QoS, key, record.offset, false))) return;
    }
    progress.next = record.offset + 1;
  }

  private deliverableOf(record: ConsumerRecord): Deliverable | null {
    for (const mapping of this.options.mappings.all) {
      if (mapping.logTopic !== record.topic) continue;
      const deliverable = deliverableOf(record, mapping);
      if (deliverable !== null && topicMatches(mapping.filter, deliverable.topic)) return deliverable;
    }
    return null;
  }

  /** The highest QoS among the filters matching the topic; null when none does. */
  private grantedFor(topic: string): QoS | null {
    let best: QoS | null = null;
    for (const [filter, qos] of this.filters) {
      if ((best === null || qos > best) && topicMatches(filter, topic)) best = qos;
    }
    return best;
  }

  /** Whether the message went to the client (false: the subscription closed first). */
  private async deliver(message: Deliverable, qos: QoS, partition: string | null, offset: number, retain: boolean): Promise<boolean> {
    const packet: IPublishPacket = { cmd: 'publish', topic: message.topic, payload: message.payload, qos, dup: false, retain };
    if (Object.keys(message.userProperties).length > 0) packet.properties = { userProperties: message.userProperties };
    if (qos > 0) {
      while (this.inflight.size >= this.options.inflightWindow && !this.closed) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
      if (this.closed) return false;
      packet.messageId = this.allocatePacketId();
      this.inflight.set(packet.messageId, { partition, offset });
    }
    if (this.closed) return false;
    await this.options.sink(packet);
    return true;
  }

  private allocatePacketId(): number {
    while (this.inflight.has(this.nextPacketId)) this.nextPacketId = (this.nextPacketId % 65535) + 1;
    const id = this.nextPacketId;
    this.nextPacketId = (this.nextPacketId % 65535) + 1;
    return id;
  }

  /** Per partition, the first offset not yet acknowledged: everything before it is the client's. */
  private positions(): Array<TopicPartition & { offset: number }> {
    const first = new Map<string, number>();
    for (const { partition, offset } of this.inflight.values()) {
      if (partition !== null && offset < (first.get(partition) ?? Infinity)) first.set(partition, offset);
    }
    return [...this.progress].map(([key, { tp, next }]) => ({ ...tp, offset: Math.min(next, first.get(key) ?? Infinity) }));
  }

  private commit(): Promise<void> {
    const offsets = this.positions();
    // One commit at a time, in order, so an older position never lands after a newer one.
    this.committing = this.committing.catch(() => undefined).then(() => (offsets.length === 0 ? undefined : this.consumer.commit(offsets)));
    return this.committing;
  }

  /** Stops delivering; a persistent session first commits where it got to. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.commitTimer) clearInterval(this.commitTimer);
    for (const wake of this.slotWaiters.splice(0)) wake();
    try {
      if (this.options.persistent) await this.commit();
    } finally {
      await this.consumer.close();
      await this.running;
    }
  }
}

function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}/${tp.partition}`;
}
