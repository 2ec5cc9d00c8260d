import { type CompressionName, CompressionType, compressionTypeNamed } from '@gregor/records';
import { Cluster, ClusterOptions } from '../cluster/cluster';
import { Connection } from '../connection';
import { GregorError } from '../errors';
import { BufferedBytes } from './buffered-bytes';
import { IdempotenceManager } from './idempotence-manager';
import { Partitioner } from './partitioner';
import { answerRecords, failRecords, type SendTicket } from './open-batch';
import type { ProducerRecord, RecordMetadata } from './producer-record';
import { RecordAccumulator } from './record-accumulator';
import { Sender } from './sender';
import { WaitingSends } from './waiting-sends';

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
  private readonly options: Required<Omit<ProducerOptions, keyof ClusterOptions | 'connection' | 'cluster' | 'idempotent'>>;
  private readonly idempotence: IdempotenceManager;
  private readonly memory: BufferedBytes;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  /** Sends not yet joined to batches: flush() waits for them before sealing. */
  private readonly waitingSends = new WaitingSends();
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
    let compression: CompressionType;
    try {
      compression = compressionTypeNamed(this.options.compression);
    } catch (err) {
      throw GregorError.invalid((err as Error).message);
    }
    if (!Number.isInteger(this.options.batchBytes) || this.options.batchBytes < 1) {
      throw GregorError.invalid(`batchBytes must be a positive integer, got ${this.options.batchBytes}`);
    }
    this.memory = new BufferedBytes(this.options.maxBufferedBytes);
    this.sender = new Sender({
      cluster: this.cluster,
      idempotence: this.idempotence,
      acks: this.options.acks,
      maxInFlightPerPartition: this.options.maxInFlightPerPartition,
      retries: this.options.retries,
      takeReady: (topic, partition) => this.accumulator.takeReady(topic, partition),
      completed: (batch, response) => {
        answerRecords(batch, response);
        this.accumulator.done(batch, true);
      },
      failed: (batch, err) => {
        failRecords(batch, err);
        this.accumulator.done(batch, false);
      },
    });
    this.accumulator = new RecordAccumulator({
      lingerMs: this.options.lingerMs,
      batchBytes: this.options.batchBytes,
      deliveryTimeoutMs: this.options.deliveryTimeoutMs,
      compression,
      partitioner: new Partitioner(),
      memory: this.memory,
      sealed: this.sender,
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
    const ready = partitions !== undefined && this.idempotence.known !== undefined && this.waitingSends.none;
    if (ready && this.memory.hasRoom) return this.appendAll(topic, partitions, records);
    return this.waitingSends.add(
      () => this.prepare(topic),
      (prepared) => this.appendAll(topic, prepared, records),
    );
  }

  /** Adds the records to their partitions' open batches; resolves when all are acknowledged. */
  private appendAll(topic: string, partitions: number, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    const accumulator = this.accumulator;
    const batches = accumulator.batchesOf(topic);
    const now = Date.now();
    this.cluster.refreshIfStale(topic, now);
    if (!Array.isArray(records)) {
      return new Promise<RecordMetadata>((resolve, reject) => accumulator.append(topic, partitions, batches, records, now, null, 0, resolve, reject));
    }
    return new Promise<RecordMetadata[]>((resolve, reject) => {
      const count = records.length;
      const ticket: SendTicket = { results: new Array(count), remaining: count, failed: false, resolve, reject };
      if (count === 0) resolve([]);
      for (let i = 0; i < count; i++) accumulator.append(topic, partitions, batches, records[i], now, ticket, i, null, null);
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

  /** Sends every waiting batch now and resolves when all sent batches are answered. */
  async flush(): Promise<void> {
    // Sealing in the same tick as the call when nothing waits: records sent after flush() go in later batches.
    while (!this.waitingSends.none) await this.waitingSends.joined();
    this.accumulator.sealAll();
    while (!this.accumulator.idle) await this.accumulator.becameIdle();
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
