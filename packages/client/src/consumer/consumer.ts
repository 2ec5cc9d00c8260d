import { DecodedRecord, decodeBatch, isControlBatch, iterateBatches } from '@gregor/records';
import { Admin } from '../admin';
import { Cluster, ClusterOptions } from '../cluster/cluster';
import type { Connection } from '../connection';
import { GregorError } from '../errors';
import { sleep } from '../retry';
import { clusterGroup } from './cluster-group';
import { ConsumedOffsets } from './consumed-offsets';
import type { ConsumerGroup } from './consumer-group';
import type { GroupConfig } from './group-config';
import { PartitionSubscription } from './partition-subscription';
import type { RebalanceListener } from './rebalance-listener';
import { tpKey as key, type TopicPartition, type TopicPartitionOffset } from './topic-partitions';

export type { TopicPartition, TopicPartitionOffset };

export interface ConsumerRecord extends DecodedRecord {
  topic: string;
  partition: number;
}

/** Where to (re)start reading a partition. */
export type SeekTarget = number | 'earliest' | 'latest' | { timestamp: number };

export interface ConsumerOptions extends ClusterOptions, GroupConfig {
  /** Share a Cluster (connections and metadata) with other clients; the Consumer then does not close it. */
  cluster?: Cluster;
  /** Share a connection as the one bootstrap broker; the Consumer then does not close it. */
  connection?: Connection;
  /** Commit and resume offsets under this group id; the group subscribe() joins. */
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
  key: string;
  /** Paused by the application: no stream, nothing handed out, until resumed. */
  paused: boolean;
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

/**
 * Reads assigned partitions as an async iterator of records, live or from
 * history, over one Subscribe stream per partition to its leader; when the
 * leader moves or fails, the stream resumes at the position on the new one.
 * Control batches (leader no-ops) are skipped, so offsets may have gaps.
 *
 *   const consumer = new Consumer({ groupId: 'billing', autoOffsetReset: 'earliest' });
 *   await consumer.assignTopic('events');
 *   for await (const record of consumer) { handle(record); await consumer.commit(); }
 *
 * Or as a member of the group, which shares the topics' partitions among its members:
 *
 *   consumer.subscribe(['events'], { onRevoked: (tps) => flush(tps) });
 *   for await (const record of consumer) handle(record);  // positions auto-commit once handled
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  readonly cluster: Cluster;
  private readonly ownsCluster: boolean;
  private readonly admin: Admin;
  private readonly assigned = new Map<string, Assigned>();
  private readonly queue: Chunk[] = [];
  private queuedBytes = 0;
  /** Every stream paused: too many fetched bytes wait to be iterated. */
  private backpressured = false;
  private wakeReader: (() => void) | null = null;
  private failure: GregorError | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Partitions come from assign() (manual) or from the group (subscribe), never both. */
  private group: ConsumerGroup | null = null;
  private manual = false;
  private readonly consumed = new ConsumedOffsets();
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
   * one, else at `start` (by default per autoOffsetReset; 'none' starts at the end).
   */
  async assign(partitions: TopicPartition[], start?: SeekTarget): Promise<void> {
    if (this.group) throw GregorError.invalid('a subscribed consumer gets its partitions from the group');
    this.manual = true;
    await this.addPartitions(partitions, start);
  }

  /**
   * Joins the group (groupId) and reads the partitions it assigns this member, of the listed
   * topics or of every topic the pattern matches (as RegExp#test; internal `__` topics never). Each
   * partition starts at the group's committed offset, else per autoOffsetReset.
   */
  subscribe(topics: string[] | RegExp, listener: RebalanceListener = {}): void {
    const groupId = this.options.groupId;
    if (!groupId) throw GregorError.invalid('subscribe needs a groupId');
    if (this.manual) throw GregorError.invalid('a consumer with assigned partitions cannot also subscribe');
    if (this.group) throw GregorError.invalid('the consumer is subscribed already');
    if (this.closing) throw GregorError.invalid('the consumer is closed');
    this.group = clusterGroup({
      cluster: this.cluster,
      admin: this.admin,
      groupId,
      config: this.options,
      subscription: topics,
      listener,
      consumer: {
        addPartitions: (partitions) => this.addPartitions(partitions),
        removePartitions: (partitions) => this.removePartitions(partitions),
        fail: (error) => this.fail(error),
      },
      consumed: this.consumed,
    });
    this.group.start();
  }

  private async addPartitions(partitions: TopicPartition[], start: SeekTarget = this.reset === 'earliest' ? 'earliest' : 'latest'): Promise<void> {
    const committed = this.options.groupId ? await this.committedOffsets(partitions) : new Map<string, number>();
    for (const tp of partitions) {
      if (this.assigned.has(key(tp))) continue;
      const assigned: Assigned = { tp: { topic: tp.topic, partition: tp.partition }, key: key(tp), paused: false, position: 0, generation: 0, subscription: null, failures: 0, redirects: 0 };
      this.assigned.set(key(tp), assigned);
      await this.startAssigned(assigned, committed.get(key(tp)) ?? start);
    }
  }

  /**
   * Seeks a newly assigned partition to its start. One whose topic the broker does not know (deleted,
   * or not yet known there) stays assigned and is looked up again after a backoff, until it is
   * found or the rebalance that follows takes it away: blocking here would hold up that rebalance.
   */
  private async startAssigned(assigned: Assigned, target: SeekTarget): Promise<void> {
    try {
      await this.seekAssigned(assigned, target);
    } catch (err) {
      const error = GregorError.from(err);
      if (!this.awaitsRebalance(error)) {
        // Not left half-assigned: assigning it again starts it afresh.
        if (this.assigned.get(assigned.key) === assigned) this.assigned.delete(assigned.key);
        throw error;
      }
      void sleep(this.cluster.backoffDelay(assigned.failures++)).then(async () => {
        if (this.closed || this.assigned.get(assigned.key) !== assigned) return;
        await this.startAssigned(assigned, target).catch((failure: unknown) => this.fail(GregorError.from(failure)));
      });
    }
  }

  /** A group member's topic that is missing stays assigned until the rebalance the leader's metadata watch starts. */
  private awaitsRebalance(error: GregorError): boolean {
    return this.group !== null && error.code === 'NOT_FOUND';
  }

  /** Assigns every partition of a topic. */
  async assignTopic(topic: string): Promise<void> {
    const description = await this.admin.describeTopic(topic);
    await this.assign(description.partitions.map((p) => ({ topic, partition: p.partition })));
  }

  private removePartitions(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const assigned = this.assigned.get(key(tp));
      if (!assigned) continue;
      // Drops its chunks, queued or being handed out.
      assigned.generation++;
      assigned.subscription?.cancel();
      this.dropQueued(assigned);
      this.assigned.delete(assigned.key);
    }
  }

  assignment(): TopicPartition[] {
    return [...this.assigned.values()].map((a) => ({ ...a.tp }));
  }

  /**
   * Stops handing out records of these partitions, and fetching them, until resumed; they stay
   * assigned (a group member keeps heartbeating). Records already fetched are fetched again.
   */
  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const assigned = this.get(tp);
      if (assigned.paused) continue;
      assigned.paused = true;
      assigned.generation++;
      assigned.subscription?.cancel();
      assigned.subscription = null;
      this.dropQueued(assigned);
    }
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const assigned = this.get(tp);
      if (!assigned.paused) continue;
      assigned.paused = false;
      this.openStream(assigned);
    }
  }

  paused(): TopicPartition[] {
    return [...this.assigned.values()].filter((a) => a.paused).map((a) => ({ ...a.tp }));
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
    // Revoked while its offset was looked up: nothing more to read or commit there.
    if (this.assigned.get(assigned.key) !== assigned) return;
    this.moveTo(assigned, offset);
    assigned.generation++;
    this.openStream(assigned);
  }

  private moveTo(assigned: Assigned, position: number): void {
    assigned.position = position;
    this.consumed.moved(assigned.key, assigned.tp, position);
  }

  private openStream(assigned: Assigned): void {
    assigned.subscription?.cancel();
    assigned.subscription = null;
    if (this.closed || assigned.paused) return;
    const generation = assigned.generation;
    const { topic, partition } = assigned.tp;
    // No leader, or no connection to it (a closed cluster): both end up in recover().
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
        if (this.backpressured) subscription.pause();
      },
    ).catch((err: unknown) => void this.recover(assigned, generation, null, GregorError.from(err)));
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
      if (!err.retriable && !this.awaitsRebalance(err)) throw err;
      if (!(err.redirect && assigned.redirects++ < 3)) await sleep(this.cluster.backoffDelay(assigned.failures++));
      if (this.closed || assigned.generation !== generation) return;
      // Resume at the position; batches queued from the broken stream are fetched again.
      assigned.generation++;
      this.dropQueued(assigned);
      this.openStream(assigned);
    } catch (failure) {
      this.fail(GregorError.from(failure));
    }
  }

  /** The application's iterator throws it. */
  private fail(error: GregorError): void {
    this.failure ??= error;
    this.wakeReader?.();
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
    if (!this.backpressured && this.queuedBytes > this.maxBufferedBytes) {
      this.backpressured = true;
      for (const a of this.assigned.values()) a.subscription?.pause();
    }
    this.wakeReader?.();
  }

  private dequeue(): Chunk | undefined {
    const chunk = this.queue.shift();
    if (!chunk) return undefined;
    this.queuedBytes -= chunk.bytes.length;
    if (this.backpressured && this.queuedBytes <= this.maxBufferedBytes / 2) {
      this.backpressured = false;
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
    this.pulled();
    for (let chunk = await this.nextChunk(); chunk; chunk = await this.nextChunk()) {
      const { assigned, generation, records } = chunk;
      for (const record of records) {
        if (assigned.generation !== generation || this.closed) break;
        this.handingOut();
        this.moveTo(assigned, record.offset + 1);
        yield record;
        this.pulled();
      }
      if (assigned.generation === generation && chunk.end > assigned.position) this.moveTo(assigned, chunk.end);
    }
  }

  /**
   * The same records as arrays, one per chunk the broker pushed (all from one
   * partition): far fewer awaits for high-rate consumers. The position moves
   * past a whole array when it is yielded.
   */
  async *batches(): AsyncGenerator<ConsumerRecord[]> {
    this.pulled();
    for (let chunk = await this.nextChunk(); chunk; chunk = await this.nextChunk()) {
      const { assigned, generation, records } = chunk;
      if (assigned.generation !== generation) continue;
      if (records.length > 0) this.handingOut();
      if (chunk.end > assigned.position) this.moveTo(assigned, chunk.end);
      if (records.length === 0) continue;
      yield records;
      this.pulled();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return this.records();
  }

  /** The application is back for records: what it was handed is processed, and it is polling (max.poll.interval.ms). */
  private pulled(): void {
    this.consumed.pulled();
    this.group?.membership.notePoll(true);
  }

  private handingOut(): void {
    this.consumed.handingOut();
    this.group?.membership.notePoll(false);
  }

  /**
   * Commits, for the group, the given offsets or else every assigned
   * partition's position (the next offset to read). A subscribed consumer
   * commits as a member of its generation: once the group has moved on
   * without it, the commit rejects with reason ILLEGAL_GENERATION or
   * UNKNOWN_MEMBER_ID (REBALANCE_IN_PROGRESS while the group is between
   * join and sync).
   */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    const groupId = this.options.groupId;
    if (!groupId) throw GregorError.invalid('commit needs a groupId');
    const toCommit = offsets ?? [...this.assigned.values()].map((a) => ({ ...a.tp, offset: a.position }));
    if (this.group) await this.group.commit(toCommit);
    else await this.admin.commitOffsets(groupId, toCommit);
  }

  /** The group's committed offset of each partition, null where it has none. */
  async committed(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number | null }>> {
    const found = await this.committedOffsets(partitions);
    return partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: found.get(key(tp)) ?? null }));
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

  /**
   * Stops every stream; a pending iteration ends. A subscribed consumer first
   * commits (autoCommit), revokes its partitions and leaves the group, unless
   * static: a static member keeps its partitions for the session timeout.
   */
  close(): Promise<void> {
    this.closing ??= this.group ? this.group.close().finally(() => this.stop()) : Promise.resolve(this.stop());
    return this.closing;
  }

  private stop(): void {
    this.closed = true;
    for (const a of this.assigned.values()) a.subscription?.cancel();
    this.wakeReader?.();
    if (this.ownsCluster) this.cluster.close();
  }
}
