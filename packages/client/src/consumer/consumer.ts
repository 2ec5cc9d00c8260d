import { DecodedRecord, decodeBatch, isControlBatch, iterateBatches } from '@gregor/records';
import { Admin } from '../admin';
import { Cluster, ClusterOptions } from '../cluster/cluster';
import type { Connection } from '../connection';
import { GregorError } from '../errors';
import { sleep } from '../retry';
import { PartitionSubscription } from './partition-subscription';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumerRecord extends DecodedRecord {
  topic: string;
  partition: number;
}

/** Where to (re)start reading a partition. */
export type SeekTarget = number | 'earliest' | 'latest' | { timestamp: number };

export interface ConsumerOptions extends ClusterOptions {
  /** Share a Cluster (connections and metadata) with other clients; the Consumer then does not close it. */
  cluster?: Cluster;
  /** Share a connection as the one bootstrap broker; the Consumer then does not close it. */
  connection?: Connection;
  /** Commit and resume offsets under this group id. */
  groupId?: string;
  /**
   * Where a partition starts without a committed offset, and where it jumps
   * when its position falls out of the log (retention): 'earliest',
   * 'latest' (default), or 'none' to raise OUT_OF_RANGE from the iterator.
   */
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** Largest chunk the broker pushes per message (default 1 MiB). */
  maxBytes?: number;
  /** Streams pause while more than this many fetched bytes wait to be iterated (default 16 MiB). */
  maxBufferedBytes?: number;
}

interface Assigned {
  tp: TopicPartition;
  /** Next offset to hand to the application. */
  position: number;
  /** Bumped on every seek, so batches fetched for an older position are dropped. */
  generation: number;
  subscription: PartitionSubscription | null;
  failures: number;
  /** Redirects followed in a row without reading anything. */
  redirects: number;
}

interface Chunk {
  assigned: Assigned;
  generation: number;
  bytes: Buffer;
}

interface DecodedChunk {
  assigned: Assigned;
  generation: number;
  records: ConsumerRecord[];
  /** The offset after the chunk's last batch (control batches included). */
  end: number;
}

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/**
 * Reads assigned partitions as an async iterator of records, live or from
 * history, over one Subscribe stream per partition to its leader; when the
 * leader moves or fails, the stream resumes at the position on the new one.
 * Control batches (leader no-ops) are skipped, so offsets may have gaps.
 *
 *   const consumer = new Consumer({ groupId: 'billing', autoOffsetReset: 'earliest' });
 *   await consumer.assignTopic('events');
 *   for await (const record of consumer) { handle(record); await consumer.commit(); }
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  readonly cluster: Cluster;
  private readonly ownsCluster: boolean;
  private readonly admin: Admin;
  private readonly assigned = new Map<string, Assigned>();
  private readonly queue: Chunk[] = [];
  private queuedBytes = 0;
  private paused = false;
  private wakeReader: (() => void) | null = null;
  private failure: GregorError | null = null;
  private closed = false;
  private readonly maxBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly reset: 'earliest' | 'latest' | 'none';

  constructor(private readonly options: ConsumerOptions = {}) {
    this.cluster = options.cluster ?? new Cluster(options, options.connection);
    this.ownsCluster = !options.cluster;
    this.admin = new Admin({ cluster: this.cluster });
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.reset = options.autoOffsetReset ?? 'latest';
  }

  /** The first bootstrap broker's connection. */
  get connection(): Connection {
    return this.cluster.primary;
  }

  /**
   * Adds partitions. Each starts at the group's committed offset if there is
   * one, else per autoOffsetReset ('none' starts at the end).
   */
  async assign(partitions: TopicPartition[]): Promise<void> {
    const committed = this.options.groupId ? await this.committedOffsets(partitions) : new Map<string, number>();
    for (const tp of partitions) {
      if (this.assigned.has(key(tp))) continue;
      const assigned: Assigned = { tp: { ...tp }, position: 0, generation: 0, subscription: null, failures: 0, redirects: 0 };
      this.assigned.set(key(tp), assigned);
      const start = committed.get(key(tp));
      await this.seekAssigned(assigned, start !== undefined ? start : this.reset === 'earliest' ? 'earliest' : 'latest');
    }
  }

  /** Assigns every partition of a topic. */
  async assignTopic(topic: string): Promise<void> {
    const description = await this.admin.describeTopic(topic);
    await this.assign(description.partitions.map((p) => ({ topic, partition: p.partition })));
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()].map((a) => ({ ...a.tp }));
  }

  /** Next offset the iterator yields for the partition. */
  position(tp: TopicPartition): number {
    return this.get(tp).position;
  }

  async seek(tp: TopicPartition, target: SeekTarget): Promise<void> {
    await this.seekAssigned(this.get(tp), target);
  }

  async seekToBeginning(partitions: TopicPartition[] = this.assignment()): Promise<void> {
    for (const tp of partitions) await this.seek(tp, 'earliest');
  }

  async seekToEnd(partitions: TopicPartition[] = this.assignment()): Promise<void> {
    for (const tp of partitions) await this.seek(tp, 'latest');
  }

  /** First record with timestamp >= `timestamp`; the end of the log if there is none. */
  async seekToTimestamp(timestamp: number, partitions: TopicPartition[] = this.assignment()): Promise<void> {
    for (const tp of partitions) await this.seek(tp, { timestamp });
  }

  private get(tp: TopicPartition): Assigned {
    const assigned = this.assigned.get(key(tp));
    if (!assigned) throw GregorError.invalid(`partition ${tp.topic}-${tp.partition} is not assigned`);
    return assigned;
  }

  private async resolveTarget(tp: TopicPartition, target: SeekTarget): Promise<number> {
    if (typeof target === 'number') return target;
    const [found] = await this.admin.listOffsets(tp.topic, target, [tp.partition]);
    if (found.offset >= 0) return found.offset;
    return found.highWatermark;
  }

  private async seekAssigned(assigned: Assigned, target: SeekTarget): Promise<void> {
    const offset = await this.resolveTarget(assigned.tp, target);
    assigned.position = offset;
    assigned.generation++;
    this.subscribe(assigned);
  }

  private subscribe(assigned: Assigned): void {
    assigned.subscription?.cancel();
    assigned.subscription = null;
    if (this.closed) return;
    const generation = assigned.generation;
    const { topic, partition } = assigned.tp;
    this.cluster.leaderAddress(topic, partition).then(
      (address) => {
        if (this.closed || assigned.generation !== generation) return;
        const subscription = new PartitionSubscription(
          this.cluster.connection(address),
          { topic, partition, offset: assigned.position, maxBytes: this.maxBytes },
          {
            onBatches: (bytes) => {
              assigned.failures = 0;
              assigned.redirects = 0;
              this.enqueue({ assigned, generation, bytes });
            },
            onError: (err) => void this.recover(assigned, generation, address, err),
          },
        );
        assigned.subscription = subscription;
        if (this.paused) subscription.pause();
      },
      (err: unknown) => void this.recover(assigned, generation, null, GregorError.from(err)),
    );
  }

  /**
   * Resubscribes after a broken stream: on the new leader at once after a
   * redirect, else with backoff on retriable errors; OUT_OF_RANGE per
   * autoOffsetReset.
   */
  private async recover(assigned: Assigned, generation: number, address: string | null, err: GregorError): Promise<void> {
    if (this.closed || assigned.generation !== generation) return;
    assigned.subscription = null;
    this.cluster.noteError(assigned.tp.topic, assigned.tp.partition, address, err);
    try {
      if (err.code === 'OUT_OF_RANGE' && this.reset !== 'none') {
        await this.seekAssigned(assigned, this.reset);
        return;
      }
      if (!err.retriable) throw err;
      if (!(err.redirect && assigned.redirects++ < 3)) await sleep(this.cluster.backoffDelay(assigned.failures++));
      if (this.closed || assigned.generation !== generation) return;
      // Resume at the position; batches queued from the broken stream are fetched again.
      assigned.generation++;
      this.dropQueued(assigned);
      this.subscribe(assigned);
    } catch (failure) {
      this.failure = GregorError.from(failure);
      this.wakeReader?.();
    }
  }

  private dropQueued(assigned: Assigned): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].assigned === assigned) {
        this.queuedBytes -= this.queue[i].bytes.length;
        this.queue.splice(i, 1);
      }
    }
  }

  private enqueue(chunk: Chunk): void {
    this.queue.push(chunk);
    this.queuedBytes += chunk.bytes.length;
    if (!this.paused && this.queuedBytes > this.maxBufferedBytes) {
      this.paused = true;
      for (const a of this.assigned.values()) a.subscription?.pause();
    }
    this.wakeReader?.();
  }

  private dequeue(): Chunk | undefined {
    const chunk = this.queue.shift();
    if (!chunk) return undefined;
    this.queuedBytes -= chunk.bytes.length;
    if (this.paused && this.queuedBytes <= this.maxBufferedBytes / 2) {
      this.paused = false;
      for (const a of this.assigned.values()) a.subscription?.resume();
    }
    return chunk;
  }

  /** Waits for the next fetched chunk and decodes it; null once closed. */
  private async nextChunk(): Promise<DecodedChunk | null> {
    while (!this.closed) {
      if (this.failure) throw this.failure;
      const chunk = this.dequeue();
      if (!chunk) {
        await new Promise<void>((resolve) => (this.wakeReader = resolve));
        this.wakeReader = null;
        continue;
      }
      const { assigned, generation } = chunk;
      if (assigned.generation !== generation) continue;
      const records: ConsumerRecord[] = [];
      let end = assigned.position;
      for (const { position, header } of iterateBatches(chunk.bytes)) {
        end = Math.max(end, header.baseOffset + header.lastOffsetDelta + 1);
        if (isControlBatch(header.attributes)) continue;
        for (const record of decodeBatch(chunk.bytes, position).records) {
          if (record.offset < assigned.position) continue;
          const consumerRecord = record as ConsumerRecord;
          consumerRecord.topic = assigned.tp.topic;
          consumerRecord.partition = assigned.tp.partition;
          records.push(consumerRecord);
        }
      }
      return { assigned, generation, records, end };
    }
    return null;
  }

  /**
   * Records of every assigned partition as they arrive, one at a time; the
   * partition's position moves past each record as it is yielded. Ends when
   * the consumer is closed.
   */
  async *records(): AsyncGenerator<ConsumerRecord> {
    for (let chunk = await this.nextChunk(); chunk; chunk = await this.nextChunk()) {
      const { assigned, generation, records } = chunk;
      for (const record of records) {
        if (assigned.generation !== generation || this.closed) break;
        assigned.position = record.offset + 1;
        yield record;
      }
      if (assigned.generation === generation) assigned.position = Math.max(assigned.position, chunk.end);
    }
  }

  /**
   * The same records as arrays, one per chunk the broker pushed (all from one
   * partition): far fewer awaits for high-rate consumers. The position moves
   * past a whole array when it is yielded.
   */
  async *batches(): AsyncGenerator<ConsumerRecord[]> {
    for (let chunk = await this.nextChunk(); chunk; chunk = await this.nextChunk()) {
      const { assigned, generation, records } = chunk;
      if (assigned.generation !== generation) continue;
      assigned.position = Math.max(assigned.position, chunk.end);
      if (records.length > 0) yield records;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return this.records();
  }

  /**
   * Commits, for the group, the given offsets or else every assigned
   * partition's position (the next offset to read).
   */
  async commit(offsets?: Array<TopicPartition & { offset: number }>): Promise<void> {
    const groupId = this.options.groupId;
    if (!groupId) throw GregorError.invalid('commit needs a groupId');
    const toCommit = offsets ?? [...this.assigned.values()].map((a) => ({ ...a.tp, offset: a.position }));
    await this.admin.commitOffsets(groupId, toCommit);
  }

  /** The group's committed offsets for the given partitions (absent = none). */
  async committedOffsets(partitions: TopicPartition[]): Promise<Map<string, number>> {
    const groupId = this.options.groupId;
    if (!groupId) throw GregorError.invalid('committed offsets need a groupId');
    const wanted = new Set(partitions.map(key));
    const result = new Map<string, number>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      for (const c of await this.admin.fetchOffsets(groupId, topic)) {
        if (wanted.has(key(c))) result.set(key(c), c.offset);
      }
    }
    return result;
  }

  /** Stops every stream; a pending iteration ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.assigned.values()) a.subscription?.cancel();
    this.wakeReader?.();
    if (this.ownsCluster) this.cluster.close();
  }
}
