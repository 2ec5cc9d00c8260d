import { BATCH_HEADER_SIZE, BatchBuilder, type CompressionType } from '@gregor/records';
import { produceRequestHeadroom } from '@gregor/proto';
import { GregorError } from '../errors';
import { BufferPool } from './buffer-pool';
import type { BufferedBytes } from './buffered-bytes';
import type { Partitioner } from './partitioner';
import { failSend, type OpenBatch, type Reject, type Resolve, type SendTicket } from './open-batch';
import { toBuffer, toHeaders, type ProducerRecord } from './producer-record';

/** Room before each batch for the request fields around it: enough for any valid topic name (249 bytes). */
const POOLED_HEADROOM = produceRequestHeadroom(249);
/** A partition's first batch, and the least any batch starts with; later ones start at twice the last one's size. */
const MIN_BATCH_CAPACITY = 16 * 1024;
/** Free full-size buffers the producer keeps. */
const POOLED_BUFFERS = 8;

/** Where sealed batches go. */
export interface SealedBatches {
  /** Takes the sealed batch at once, so that a partition's batches arrive in the order sealed. */
  enqueue(batch: OpenBatch): void;
  /** Whether a batch of the partition handed over now would be sent at once. */
  hasRoom(topic: string, partition: number): boolean;
}

export interface RecordAccumulatorOptions {
  lingerMs: number;
  batchBytes: number;
  deliveryTimeoutMs: number;
  compression: CompressionType;
  partitioner: Partitioner;
  memory: BufferedBytes;
  sealed: SealedBatches;
}

/**
 * Gathers records into one open batch per partition, in the order appended, and seals each
 * when it is full, when its linger passes and the partition has room, or on flush; a sealed
 * batch goes to its sender at once, so batches reach it in the order sealed. Counts the batches
 * sealed and not yet done, for flush.
 */
export class RecordAccumulator {
  /** Open batches by topic, then partition. */
  private readonly open = new Map<string, Array<OpenBatch | undefined>>();
  /** Buffer bytes the next batch of each topic's partitions starts with. */
  private readonly capacities = new Map<string, number[]>();
  private readonly pool: BufferPool;
  private sealedBatches = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: RecordAccumulatorOptions) {
    this.pool = new BufferPool(POOLED_HEADROOM + options.batchBytes, POOLED_BUFFERS);
  }

  /** The topic's open batches, to append a send's records to. */
  batchesOf(topic: string): Array<OpenBatch | undefined> {
    let open = this.open.get(topic);
    if (!open) this.open.set(topic, (open = []));
    return open;
  }

  /** Adds the record to its partition's open batch; a record that cannot be sent fails its send at once. */
  append(
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
    if (partition === undefined) partition = this.options.partitioner.partition(topic, key, partitions);
    else if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      // NOT_FOUND, as the broker answers a fetch or subscribe for that partition.
      failSend(ticket, reject, GregorError.notFound(`unknown partition ${partition} of topic ${JSON.stringify(topic)} (it has ${partitions})`));
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
    this.options.memory.add(payload);
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
    const builder = new BatchBuilder(buffer, pooled ? POOLED_HEADROOM : headroom, this.options.compression);
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
    if (this.options.sealed.hasRoom(batch.topic, batch.partition)) this.seal(batch);
  }

  /** The partition's open batch, sealed, if its linger has passed: for its sender, which has room. */
  takeReady(topic: string, partition: number): OpenBatch | undefined {
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
    if (this.closeBatch(batch)) this.options.sealed.enqueue(batch);
  }

  /** Seals every open batch, for flush. */
  sealAll(): void {
    for (const batches of this.open.values()) {
      for (const batch of batches) if (batch) this.seal(batch);
    }
  }

  /** Takes the batch out of the open ones; false if it was not open. */
  private closeBatch(batch: OpenBatch): boolean {
    const open = this.open.get(batch.topic);
    if (!open || open[batch.partition] !== batch) return false;
    open[batch.partition] = undefined;
    if (batch.timer) clearTimeout(batch.timer);
    this.options.partitioner.batchSealed(batch.topic, batch.partition, batch.partitionCount);
    let capacities = this.capacities.get(batch.topic);
    if (!capacities) this.capacities.set(batch.topic, (capacities = []));
    capacities[batch.partition] = Math.min(this.options.batchBytes, Math.max(MIN_BATCH_CAPACITY, 2 * batch.builder.sizeInBytes));
    batch.recordCount = batch.builder.recordCount;
    batch.deadline = Date.now() + this.options.deliveryTimeoutMs;
    this.sealedBatches++;
    return true;
  }

  /**
   * The sealed batch was answered (acknowledged: its buffer is reused, no send holds its bytes
   * any more) or given up (its buffer is left to the collector: a send may still hold it).
   */
  done(batch: OpenBatch, acknowledged: boolean): void {
    this.options.memory.release(batch.payloadBytes);
    if (--this.sealedBatches === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((wake) => wake());
    }
    if (acknowledged) this.pool.release(batch.builder.buffer);
  }

  /** No sealed batch is waiting to be done. */
  get idle(): boolean {
    return this.sealedBatches === 0;
  }

  /** Resolves when the last sealed batch is done (by then more may have been sealed). */
  becameIdle(): Promise<void> {
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
