import { BATCH_HEADER_SIZE, BatchBuilder, type CompressionName, CompressionType, compressionTypeNamed } from '@gregor/records';
import { produceRequestHeadroom, type ProduceResponse } from '@gregor/proto';
import { Cluster, ClusterOptions } from '../cluster/cluster';
import { Connection } from '../connection';
import { GregorError } from '../errors';
import { BufferPool } from './buffer-pool';
import { BufferedBytes } from './buffered-bytes';
import { IdempotenceManager } from './idempotence-manager';
import { Partitioner } from './partitioner';
import { answerRecords, failRecords, failSend, type OpenBatch, type Reject, type Resolve, type SendTicket } from './open-batch';
import { toBuffer, toHeaders, type ProducerRecord, type RecordMetadata } from './producer-record';
import { Sender } from './sender';

export type { Bytes, ProducerRecord, RecordMetadata } from './producer-record';

export interface ProducerOptions extends ClusterOptions {
  /** Share a Cluster (connections and metadata) with other clients; the Producer then does not close it. */
  cluster?: Cluster;
  /** Share a connection as the one bootstrap broker; the Producer then does not close it. */
  connection?: Connection;
  /** How long a partition's batch waits for more records, ms (default 5). */
  lingerMs?: number;
  /**
   * A partition's batch is sent once it holds about this many bytes (default 1 MiB, the broker's default
   * max.message.bytes). A partition's first batch starts at 16 KiB and each next one at twice the last one's
   * size, so only busy partitions reach this.
   */
  batchBytes?: number;
  /** Kafka's codecs, in the framings Kafka clients use (default 'none'); consumers read all of them. */
  compression?: CompressionName;
  /** 'all' (default): a majority of the partition's replicas hold a batch durably before it is acknowledged; 'leader': the leader alone. */
  acks?: 'all' | 'leader';
  /**
   * Default true: the producer takes a producer id and numbers its batches per
   * partition, so a batch retried after a lost answer or a leader change is
   * written once. false: at-least-once (a retry may duplicate a batch).
   */
  idempotent?: boolean;
  /** Sends after the first on retriable errors (default unlimited, until deliveryTimeoutMs). */
  retries?: number;
  /** A send fails once its batch has not been acknowledged this long after it was sealed, ms (default 60000). */
  deliveryTimeoutMs?: number;
  /** Unanswered batches per partition (default 5, at most 5 when idempotent: the broker remembers 5 per producer). */
  maxInFlightPerPartition?: number;
  /** send() waits while more than this many bytes are unacknowledged (default 64 MiB). */
  maxBufferedBytes?: number;
}

/** Room before each batch for the request fields around it: enough for any valid topic name (249 bytes). */
const POOLED_HEADROOM = produceRequestHeadroom(249);
/** A partition's first batch, and the least any batch starts with; later ones start at twice the last one's size. */
const MIN_BATCH_CAPACITY = 16 * 1024;
/** Free full-size buffers the producer keeps. */
const POOLED_BUFFERS = 8;

/**
 * Sends records to topics. Records are grouped per partition into RecordBatch
 * v2 batches, sent when `batchBytes` fill up or `lingerMs` passes, to the
 * partition's leader over one ProduceStream per broker. Retriable failures
 * (leader moved, broker unreachable, election running) are retried with
 * backoff on the new leader until deliveryTimeoutMs; with idempotence (the
 * default) each batch is written exactly once however often it is resent.
 *
 *   const producer = new Producer({ brokers: ['127.0.0.1:7070', '127.0.0.1:7071'] });
 *   const [{ partition, offset }] = await producer.send('events', [{ key: 'k', value: 'v' }]);
 *   await producer.close();
 */
export class Producer {
  readonly cluster: Cluster;
  private readonly ownsCluster: boolean;
  private readonly partitioner = new Partitioner();
  /** Open batches by topic, then partition. */
  private readonly open = new Map<string, Array<OpenBatch | undefined>>();
  /** Buffer bytes the next batch of each topic's partitions starts with. */
  private readonly capacities = new Map<string, number[]>();
  private readonly pool: BufferPool;
  private readonly sender: Sender;
  private readonly options: Required<Omit<ProducerOptions, keyof ClusterOptions | 'connection' | 'cluster' | 'idempotent'>>;
  private readonly compression: CompressionType;
  /** Records join batches only once its producer id is known. */
  private readonly idempotence: IdempotenceManager;
  private sealedBatches = 0;
  /**
   * send() calls still fetching metadata or the producer id, or waiting for room: each joins its
   * records to batches only after the one before it, and later calls wait behind them, so records
   * join batches in send order. flush() waits until their records have joined.
   */
  private readonly joining = new Set<Promise<void>>();
  private lastJoining: Promise<void> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];
  private readonly memory: BufferedBytes;
  private closed = false;

  constructor(options: ProducerOptions = {}) {
    this.cluster = options.cluster ?? new Cluster(options, options.connection);
    this.ownsCluster = !options.cluster;
    this.idempotence = new IdempotenceManager(this.cluster, options.idempotent ?? true);
    const maxInFlight = options.maxInFlightPerPartition ?? 5;
    this.options = {
      lingerMs: options.lingerMs ?? 5,
      batchBytes: options.batchBytes ?? 1024 * 1024,
      compression: options.compression ?? 'none',
      acks: options.acks ?? 'all',
      retries: options.retries ?? Number.MAX_SAFE_INTEGER,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 60000,
      maxInFlightPerPartition: this.idempotence.wanted ? Math.min(5, maxInFlight) : maxInFlight,
      maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
    };
    if (!Number.isInteger(this.options.maxInFlightPerPartition) || this.options.maxInFlightPerPartition < 1) {
      throw GregorError.invalid(`maxInFlightPerPartition must be a positive integer, got ${maxInFlight}`);
    }
    try {
      this.compression = compressionTypeNamed(this.options.compression);
    } catch (err) {
      throw GregorError.invalid((err as Error).message);
    }
    if (!Number.isInteger(this.options.batchBytes) || this.options.batchBytes < 1) {
      throw GregorError.invalid(`batchBytes must be a positive integer, got ${this.options.batchBytes}`);
    }
    this.memory = new BufferedBytes(this.options.maxBufferedBytes);
    this.pool = new BufferPool(POOLED_HEADROOM + this.options.batchBytes, POOLED_BUFFERS);
    this.sender = new Sender({
      cluster: this.cluster,
      idempotence: this.idempotence,
      acks: this.options.acks,
      maxInFlightPerPartition: this.options.maxInFlightPerPartition,
      retries: this.options.retries,
      takeReady: (topic, partition) => this.takeReady(topic, partition),
      completed: (batch, response) => this.batchCompleted(batch, response),
      failed: (batch, err) => this.batchFailed(batch, err),
    });
  }

  /** The first bootstrap broker's connection. */
  get connection(): Connection {
    return this.cluster.primary;
  }

  /** Sends one record (resolves to its partition and offset) or several (resolves to one result each, in order). */
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata>;
  send(topic: string, records: ProducerRecord[]): Promise<RecordMetadata[]>;
  send(topic: string, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.closed) return Promise.reject(GregorError.invalid('producer is closed'));
    const partitions = this.cluster.metadata.partitionCount(topic);
    // The common case joins batches at once, without an async step per record.
    const ready = partitions !== undefined && this.idempotence.known !== undefined && this.joining.size === 0;
    if (ready && this.memory.hasRoom) return this.appendAll(topic, partitions, records);
    return this.sendWhenReady(topic, records);
  }

  private async sendWhenReady(topic: string, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    let joined!: () => void;
    const joining = new Promise<void>((resolve) => (joined = resolve));
    const previous = this.lastJoining;
    this.lastJoining = joining;
    this.joining.add(joining);
    let sending: Promise<RecordMetadata | RecordMetadata[]>;
    try {
      // Prepared alongside the sends before it (they share one metadata lookup and one producer id request), joined after them.
      const [prepared] = await Promise.allSettled([this.prepare(topic), previous]);
      if (prepared.status === 'rejected') throw prepared.reason;
      sending = this.appendAll(topic, prepared.value, records);
    } finally {
      this.joining.delete(joining);
      joined();
    }
    return sending;
  }

  /** Adds the records to their partitions' open batches; resolves when all are acknowledged. */
  private appendAll(topic: string, partitions: number, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    let open = this.open.get(topic);
    if (!open) this.open.set(topic, (open = []));
    const batches = open;
    const now = Date.now();
    if (!Array.isArray(records)) {
      return new Promise<RecordMetadata>((resolve, reject) => this.append(topic, partitions, batches, records, now, null, 0, resolve, reject));
    }
    return new Promise<RecordMetadata[]>((resolve, reject) => {
      const count = records.length;
      const ticket: SendTicket = { results: new Array(count), remaining: count, failed: false, resolve, reject };
      if (count === 0) resolve([]);
      for (let i = 0; i < count; i++) this.append(topic, partitions, batches, records[i], now, ticket, i, null, null);
    });
  }

  /** What a send needs before its records join batches: the partition count, the producer id, buffer room. */
  private async prepare(topic: string): Promise<number> {
    const partitions = this.cluster.metadata.partitionCount(topic) ?? (await this.cluster.partitionCount(topic));
    if (this.idempotence.wanted) await this.idempotence.producerIdentity();
    while (!this.memory.hasRoom) await this.memory.roomFreed();
    return partitions;
  }

  /**
   * Whether batches carry a producer id: false when idempotence was turned off,
   * or the broker does not offer InitProducerId (then delivery is at-least-once).
   */
  async idempotent(): Promise<boolean> {
    return this.idempotence.wanted && (await this.idempotence.producerIdentity()) !== null;
  }

  private append(
    topic: string,
    partitions: number,
    open: Array<OpenBatch | undefined>,
    record: ProducerRecord,
    now: number,
    ticket: SendTicket | null,
    slot: number,
    resolve: Resolve | null,
    reject: Reject | null,
  ): void {
    const key = toBuffer(record.key);
    const value = toBuffer(record.value);
    const headers = toHeaders(record.headers);
    let partition = record.partition;
    if (partition === undefined) partition = this.partitioner.partition(topic, key, partitions);
    else if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      failSend(ticket, reject, GregorError.invalid(`partition ${partition} does not exist: topic ${topic} has ${partitions}`));
      return;
    }
    const timestamp = record.timestamp ?? now;
    if (!Number.isSafeInteger(timestamp)) {
      failSend(ticket, reject, GregorError.invalid(`timestamp ${timestamp} is not an integer number of ms`));
      return;
    }

    let batch = open[partition];
    let size = batch ? batch.builder.tryAppend(key, value, headers, timestamp) : 0;
    if (batch && size === 0) this.seal(batch);
    if (size === 0) {
      batch = this.newBatch(topic, partition, partitions, BatchBuilder.firstRecordSize(key, value, headers));
      open[partition] = batch;
      size = batch.builder.tryAppend(key, value, headers, timestamp);
    }
    batch = batch!;
    batch.timestamps.push(timestamp);
    batch.tickets.push(ticket);
    batch.slots.push(slot);
    batch.resolves.push(resolve);
    batch.rejects.push(reject);
    let payload = (key?.length ?? 0) + (value?.length ?? 0);
    for (const h of headers) payload += h.key.length + (h.value?.length ?? 0);
    batch.payloadBytes += payload;
    this.memory.add(payload);
    // Sealed as soon as a record like this one would not fit, rather than when the next record fails to.
    if (batch.builder.freeBytes < size) this.seal(batch);
  }

  /**
   * A partition's next batch. A full-size one writes into a pooled buffer; a
   * partition whose last batch was small starts with twice that, so a trickle
   * of records does not hold a full-size buffer per batch.
   */
  private newBatch(topic: string, partition: number, partitions: number, firstRecordBytes: number): OpenBatch {
    const headroom = produceRequestHeadroom(Buffer.byteLength(topic));
    const capacity = Math.max(this.capacityOf(topic, partition), BATCH_HEADER_SIZE + firstRecordBytes);
    const pooled = capacity === this.options.batchBytes && headroom <= POOLED_HEADROOM;
    const buffer = pooled ? this.pool.acquire() : Buffer.allocUnsafe(headroom + capacity);
    const builder = new BatchBuilder(buffer, pooled ? POOLED_HEADROOM : headroom, this.compression);
    const batch: OpenBatch = {
      topic, partition, builder, timestamps: [], tickets: [], slots: [], resolves: [], rejects: [], payloadBytes: 0, partitionCount: partitions,
      timer: null, ready: false, recordCount: 0, deadline: 0, attempts: 0, encoded: null, order: -1,
    };
    batch.timer = setTimeout(() => this.lingerPassed(batch), this.options.lingerMs);
    return batch;
  }

  /**
   * The batch goes now if its partition can send another; otherwise it stays
   * open, taking records, until the sender has room and takes it (takeReady).
   * Sealing it at once would queue it behind the batches in flight while the
   * records that arrive meanwhile start yet another small batch.
   */
  private lingerPassed(batch: OpenBatch): void {
    batch.timer = null;
    batch.ready = true;
    if (this.sender.hasRoom(batch.topic, batch.partition)) this.seal(batch);
  }

  /** The partition's open batch, sealed, if its linger has passed: for its sender, which has room. */
  private takeReady(topic: string, partition: number): OpenBatch | undefined {
    const batch = this.open.get(topic)?.[partition];
    if (!batch?.ready) return undefined;
    this.closeBatch(batch);
    return batch;
  }

  private capacityOf(topic: string, partition: number): number {
    return this.capacities.get(topic)?.[partition] ?? Math.min(MIN_BATCH_CAPACITY, this.options.batchBytes);
  }

  /** Closes the batch to records and hands it to its partition's sender, at once: batches reach it in the order sealed. */
  private seal(batch: OpenBatch): void {
    if (this.closeBatch(batch)) this.sender.enqueue(batch);
  }

  /** Takes the batch out of the open ones; false if it was not open. */
  private closeBatch(batch: OpenBatch): boolean {
    const open = this.open.get(batch.topic);
    if (!open || open[batch.partition] !== batch) return false;
    open[batch.partition] = undefined;
    if (batch.timer) clearTimeout(batch.timer);
    this.partitioner.batchSealed(batch.topic, batch.partition, batch.partitionCount);
    let capacities = this.capacities.get(batch.topic);
    if (!capacities) this.capacities.set(batch.topic, (capacities = []));
    capacities[batch.partition] = Math.min(this.options.batchBytes, Math.max(MIN_BATCH_CAPACITY, 2 * batch.builder.sizeInBytes));
    batch.recordCount = batch.builder.recordCount;
    batch.deadline = Date.now() + this.options.deliveryTimeoutMs;
    this.sealedBatches++;
    return true;
  }

  private batchCompleted(batch: OpenBatch, response: ProduceResponse): void {
    answerRecords(batch, response);
    this.batchDone(batch);
    // Answered, so no send holds the bytes any more. A failed batch's buffer is left to the collector.
    this.pool.release(batch.builder.buffer);
  }

  private batchFailed(batch: OpenBatch, err: GregorError): void {
    failRecords(batch, err);
    this.batchDone(batch);
  }

  private batchDone(batch: OpenBatch): void {
    this.memory.release(batch.payloadBytes);
    if (--this.sealedBatches === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((wake) => wake());
    }
  }

  /** Sends every waiting batch now and resolves when all sent batches are answered. */
  async flush(): Promise<void> {
    while (this.joining.size > 0) await Promise.all([...this.joining]);
    for (const batches of this.open.values()) {
      for (const batch of batches) if (batch) this.seal(batch);
    }
    while (this.sealedBatches > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes, then closes the streams (and the connections if this producer made them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    this.sender.close();
    if (this.ownsCluster) this.cluster.close();
  }
}
