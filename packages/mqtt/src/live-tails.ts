import { type Cluster, Consumer, type ConsumerRecord, type TopicPartition } from '@gregor/client';
import { type RecordSource, TopicsConsumer } from './topics-consumer';

/** Bytes of records a reader of a tail may have waiting before it reads on by itself. */
const MAX_QUEUED_BYTES = 1024 * 1024;

function keyOf(tp: TopicPartition): string {
  return `${tp.topic}/${tp.partition}`;
}

function sizeOf(batch: readonly ConsumerRecord[]): number {
  let bytes = 0;
  for (const r of batch) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
  return bytes;
}

/** One log topic read from its end by one consumer, each batch handed to every reader attached. */
class LiveTail {
  private readonly readers = new Set<TailReader>();
  /** Per partition, the offset of the next record the tail hands out. */
  private readonly next = new Map<string, number>();
  /** Per partition added to the topic after the tail opened, the offset the tail began it at. */
  private readonly beganAt = new Map<string, number>();
  private readonly consumer: TopicsConsumer;
  private running: Promise<void> | null = null;

  private constructor(
    readonly topic: string,
    cluster: Cluster,
    private readonly onEnd: () => void,
  ) {
    const consumer = new Consumer({ cluster, autoOffsetReset: 'latest', maxBufferedBytes: MAX_QUEUED_BYTES });
    this.consumer = new TopicsConsumer(consumer, (added) => {
      for (const tp of added) {
        this.beganAt.set(keyOf(tp), consumer.position(tp));
        this.next.set(keyOf(tp), consumer.position(tp));
      }
    });
  }

  /** `onEnd`: the tail stopped reading (closed, or its topic could not be read any more). */
  static async open(cluster: Cluster, topic: string, onEnd: () => void): Promise<LiveTail> {
    const tail = new LiveTail(topic, cluster, onEnd);
    try {
      await tail.consumer.assignTopic(topic);
    } catch (err) {
      await tail.consumer.close();
      throw err;
    }
    for (const tp of tail.partitions) tail.next.set(keyOf(tp), tail.consumer.position(tp));
    tail.running = tail.run();
    return tail;
  }

  get partitions(): TopicPartition[] {
    return this.consumer.assignment();
  }

  position(tp: TopicPartition): number {
    return this.next.get(keyOf(tp)) ?? 0;
  }

  /** Where a partition added after the tail opened began: a reader attached before saw it all. */
  began(tp: TopicPartition): number {
    return this.beganAt.get(keyOf(tp)) ?? this.position(tp);
  }

  attach(reader: TailReader): void {
    this.readers.add(reader);
  }

  detach(reader: TailReader): void {
    this.readers.delete(reader);
  }

  private async run(): Promise<void> {
    try {
      for await (const batch of this.consumer.batches()) {
        for (const r of batch) this.next.set(keyOf(r), r.offset + 1);
        for (const reader of this.readers) reader.offer(batch);
      }
    } catch (err) {
      for (const reader of this.readers) reader.fail(err);
    } finally {
      this.onEnd();
    }
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.running;
  }
}

/**
 * A clean session's share of the live tails: it sees every batch the tails hand out from the moment
 * it attached, queued while its client is slow. Past MAX_QUEUED_BYTES it leaves the tails and reads
 * on with a consumer of its own from its first record not yet handed on, so a slow subscriber
 * neither holds the others back nor the broker's memory without bound, and misses nothing.
 */
class TailReader implements RecordSource {
  private readonly tails: LiveTail[] = [];
  /** Per partition, the offset this reader started at. */
  private readonly start = new Map<string, number>();
  private queue: ConsumerRecord[][] = [];
  private queuedBytes = 0;
  private wake: (() => void) | null = null;
  private failure: unknown = null;
  /** Set once the reader has left the tails; `alone` once its consumer is ready. */
  private own: Promise<TopicsConsumer> | null = null;
  private alone: TopicsConsumer | null = null;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly tailOf: (topic: string) => Promise<LiveTail>,
  ) {}

  async assignTopic(topic: string): Promise<void> {
    // On its own, a further topic is read from now, as a tail would.
    if (this.own) return (await this.own).assignTopic(topic);
    const tail = await this.tailOf(topic);
    if (this.tails.includes(tail)) return;
    for (const tp of tail.partitions) this.start.set(keyOf(tp), tail.position(tp));
    tail.attach(this);
    this.tails.push(tail);
  }

  assignment(): TopicPartition[] {
    return this.alone?.assignment() ?? this.tails.flatMap((t) => t.partitions);
  }

  position(tp: TopicPartition): number {
    if (this.alone) return this.alone.position(tp);
    // A partition the tail gained after this reader attached: the reader has had all of it.
    return this.start.get(keyOf(tp)) ?? this.tails.find((t) => t.topic === tp.topic)?.began(tp) ?? 0;
  }

  offer(batch: ConsumerRecord[]): void {
    if (this.own || this.closed) return;
    this.queue.push(batch);
    this.queuedBytes += sizeOf(batch);
    if (this.queuedBytes > MAX_QUEUED_BYTES) this.own = this.readAlone();
    this.wake?.();
  }

  fail(err: unknown): void {
    this.failure = err;
    this.wake?.();
  }

  /** Leaves the tails; a consumer of its own starts at each partition's first record not yet handed on. */
  private async readAlone(): Promise<TopicsConsumer> {
    const from = new Map<string, number>();
    for (const tail of this.tails) {
      tail.detach(this);
      for (const tp of tail.partitions) from.set(keyOf(tp), tail.position(tp));
    }
    for (const batch of this.queue) for (const r of batch) if (r.offset < (from.get(keyOf(r)) ?? Infinity)) from.set(keyOf(r), r.offset);
    this.queue = [];
    this.queuedBytes = 0;
    const consumer = new TopicsConsumer(new Consumer({ cluster: this.cluster, autoOffsetReset: 'latest', maxBufferedBytes: MAX_QUEUED_BYTES }));
    await consumer.assignAt(this.assignment().map((tp) => ({ ...tp, offset: from.get(keyOf(tp)) ?? this.position(tp) })));
    this.alone = consumer;
    return consumer;
  }

  async *batches(): AsyncGenerator<ConsumerRecord[]> {
    while (!this.closed) {
      if (this.failure !== null) throw this.failure;
      if (this.own) {
        yield* (await this.own).batches();
        return;
      }
      const batch = this.queue.shift();
      if (batch) {
        this.queuedBytes -= sizeOf(batch);
        yield batch;
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  /** A clean session keeps no positions. */
  async commit(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const tail of this.tails) tail.detach(this);
    this.wake?.();
    await (await this.own?.catch(() => null))?.close();
  }
}

/**
 * The live tails of one broker's MQTT listener: clean sessions subscribed to one log topic share
 * one reader of it, instead of each fetching and decoding the same records (100 subscribers of a
 * partition had its leader and this broker busy all the time at 200 messages a second).
 */
export class LiveTails {
  private readonly tails = new Map<string, Promise<LiveTail>>();

  constructor(private readonly cluster: Cluster) {}

  /** A new reader for one clean session. */
  reader(): RecordSource {
    return new TailReader(this.cluster, (topic) => this.tail(topic));
  }

  private tail(topic: string): Promise<LiveTail> {
    let tail = this.tails.get(topic);
    if (!tail) {
      const opened = LiveTail.open(this.cluster, topic, () => {
        if (this.tails.get(topic) === opened) this.tails.delete(topic);
      });
      tail = opened;
      this.tails.set(topic, opened);
      // A topic that could not be read is tried afresh by the next subscriber.
      opened.catch(() => {
        if (this.tails.get(topic) === opened) this.tails.delete(topic);
      });
    }
    return tail;
  }

  async close(): Promise<void> {
    const tails = [...this.tails.values()];
    this.tails.clear();
    await Promise.all(tails.map(async (t) => (await t.catch(() => null))?.close()));
  }
}
