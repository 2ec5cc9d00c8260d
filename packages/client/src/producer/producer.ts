import { CompressionType, encodeBatch, Record as LogRecord, RecordHeader } from '@gregor/records';
import { Admin } from '../admin';
import { Connection, ConnectionOptions } from '../connection';
import { GregorError } from '../errors';
import { backoffDelay, sleep } from '../retry';
import { Partitioner } from './partitioner';
import { ProduceStream } from './produce-stream';

export type Bytes = Buffer | string;

export interface ProducerRecord {
  key?: Bytes | null;
  /** null = a tombstone. */
  value: Bytes | null;
  headers?: Record<string, Bytes | null> | RecordHeader[];
  /** ms since epoch; default now. */
  timestamp?: number;
  /** Explicit partition; default by key (murmur2) or sticky for null keys. */
  partition?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export interface ProducerOptions extends ConnectionOptions {
  /** Share a connection; the Producer then does not close it. */
  connection?: Connection;
  /** How long a partition's batch waits for more records, ms (default 5). */
  lingerMs?: number;
  /** A partition's batch is sent once it holds about this many bytes (default 256 KiB). */
  batchBytes?: number;
  compression?: 'none' | 'gzip';
  /** Attempts after the first on retriable errors (default 5). */
  retries?: number;
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** send() waits while more than this many bytes are unacknowledged (default 64 MiB). */
  maxBufferedBytes?: number;
}

const RECORD_OVERHEAD_BYTES = 24;
const HEADER_BYTES = 61;

/** One send() call, completed when all its records are acknowledged. */
interface SendTicket {
  results: RecordMetadata[];
  remaining: number;
  failed: boolean;
  resolve(results: RecordMetadata[]): void;
  reject(err: Error): void;
}

/** Records gathering for one partition. */
interface OpenBatch {
  topic: string;
  partition: number;
  records: LogRecord[];
  /** For each record: its ticket and index within the ticket. */
  tickets: SendTicket[];
  slots: number[];
  bytes: number;
  timer: NodeJS.Timeout | null;
}

function toBuffer(b: Bytes | null | undefined): Buffer | null {
  if (b === null || b === undefined) return null;
  return typeof b === 'string' ? Buffer.from(b) : b;
}

const NO_HEADERS: RecordHeader[] = [];

function toHeaders(headers: ProducerRecord['headers']): RecordHeader[] {
  if (!headers) return NO_HEADERS;
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers).map(([key, value]) => ({ key, value: toBuffer(value) }));
}

/**
 * Sends records to topics. Records are grouped per partition into RecordBatch
 * v2 batches, sent when `batchBytes` fill up or `lingerMs` passes, over one
 * ProduceStream; retriable failures are retried with backoff (at-least-once:
 * a retry after a lost acknowledgement may duplicate a batch).
 *
 *   const producer = new Producer({ address: '127.0.0.1:7070' });
 *   const [{ partition, offset }] = await producer.send('events', [{ key: 'k', value: 'v' }]);
 *   await producer.close();
 */
export class Producer {
  readonly connection: Connection;
  private readonly ownsConnection: boolean;
  private readonly admin: Admin;
  private readonly stream: ProduceStream;
  private readonly partitioner = new Partitioner();
  private readonly partitionCounts = new Map<string, number>();
  /** One metadata lookup per topic however many sends wait on it. */
  private readonly partitionLookups = new Map<string, Promise<number>>();
  /** Open batches by topic, then partition. */
  private readonly open = new Map<string, Array<OpenBatch | undefined>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly options: Required<Omit<ProducerOptions, keyof ConnectionOptions | 'connection'>>;
  private bufferedBytes = 0;
  private roomWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: ProducerOptions = {}) {
    this.connection = options.connection ?? new Connection(options);
    this.ownsConnection = !options.connection;
    this.admin = new Admin({ connection: this.connection });
    this.options = {
      lingerMs: options.lingerMs ?? 5,
      batchBytes: options.batchBytes ?? 256 * 1024,
      compression: options.compression ?? 'none',
      retries: options.retries ?? 5,
      retryBackoffMs: options.retryBackoffMs ?? 100,
      retryBackoffMaxMs: options.retryBackoffMaxMs ?? 2000,
      maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
    };
    this.stream = new ProduceStream(this.connection, options.requestTimeoutMs ?? 30000);
  }

  /** Sends one record (resolves to its partition and offset) or several (resolves to one result each, in order). */
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata>;
  send(topic: string, records: ProducerRecord[]): Promise<RecordMetadata[]>;
  async send(topic: string, records: ProducerRecord | ProducerRecord[]): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.closed) throw GregorError.invalid('producer is closed');
    const list = Array.isArray(records) ? records : [records];
    const partitions = this.partitionCounts.get(topic) ?? (await this.loadPartitionCount(topic));
    while (this.bufferedBytes >= this.options.maxBufferedBytes) await new Promise<void>((r) => this.roomWaiters.push(r));
    let batches = this.open.get(topic);
    if (!batches) this.open.set(topic, (batches = []));
    const open = batches;
    const now = Date.now();
    const results = await new Promise<RecordMetadata[]>((resolve, reject) => {
      const ticket: SendTicket = { results: new Array(list.length), remaining: list.length, failed: false, resolve, reject };
      if (list.length === 0) resolve([]);
      for (let i = 0; i < list.length; i++) this.append(topic, partitions, open, list[i], now, ticket, i);
    });
    return Array.isArray(records) ? results : results[0];
  }

  private loadPartitionCount(topic: string): Promise<number> {
    let lookup = this.partitionLookups.get(topic);
    if (!lookup) {
      lookup = this.admin.describeTopic(topic).then((description) => {
        this.partitionCounts.set(topic, description.partitions.length);
        return description.partitions.length;
      });
      this.partitionLookups.set(topic, lookup);
      const forget = (): void => void this.partitionLookups.delete(topic);
      lookup.then(forget, forget);
    }
    return lookup;
  }

  private append(
    topic: string,
    partitions: number,
    open: Array<OpenBatch | undefined>,
    record: ProducerRecord,
    now: number,
    ticket: SendTicket,
    slot: number,
  ): void {
    const key = toBuffer(record.key);
    const value = toBuffer(record.value);
    const headers = toHeaders(record.headers);
    let partition = record.partition;
    if (partition === undefined) partition = this.partitioner.partition(topic, key, partitions);
    else if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      this.fail(ticket, GregorError.invalid(`partition ${partition} does not exist: topic ${topic} has ${partitions}`));
      return;
    }
    let size = RECORD_OVERHEAD_BYTES + (key?.length ?? 0) + (value?.length ?? 0);
    for (const h of headers) size += h.key.length + (h.value?.length ?? 0) + 8;

    let batch = open[partition];
    if (batch && batch.bytes + size > this.options.batchBytes) {
      this.seal(batch, partitions);
      batch = undefined;
    }
    if (!batch) {
      const created: OpenBatch = { topic, partition, records: [], tickets: [], slots: [], bytes: HEADER_BYTES, timer: null };
      created.timer = setTimeout(() => this.seal(created, partitions), this.options.lingerMs);
      open[partition] = batch = created;
    }
    batch.records.push({ key, value, headers, timestamp: record.timestamp ?? now });
    batch.tickets.push(ticket);
    batch.slots.push(slot);
    batch.bytes += size;
    this.bufferedBytes += size;
    if (batch.bytes >= this.options.batchBytes) this.seal(batch, partitions);
  }

  private seal(batch: OpenBatch, partitions: number): void {
    const open = this.open.get(batch.topic);
    if (!open || open[batch.partition] !== batch) return;
    open[batch.partition] = undefined;
    if (batch.timer) clearTimeout(batch.timer);
    this.partitioner.batchSealed(batch.topic, batch.partition, partitions);
    const sending = this.sendBatch(batch).finally(() => {
      this.inFlight.delete(sending);
      this.bufferedBytes -= batch.bytes - HEADER_BYTES;
      if (this.bufferedBytes < this.options.maxBufferedBytes) {
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        waiters.forEach((wake) => wake());
      }
    });
    this.inFlight.add(sending);
  }

  private async sendBatch(batch: OpenBatch): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = encodeBatch(batch.records, {
        compression: this.options.compression === 'gzip' ? CompressionType.Gzip : CompressionType.None,
      });
    } catch (err) {
      batch.tickets.forEach((t) => this.fail(t, GregorError.invalid(`cannot encode batch: ${(err as Error).message}`)));
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.stream.send(batch.topic, batch.partition, bytes);
        for (let i = 0; i < batch.records.length; i++) {
          const ticket = batch.tickets[i];
          if (ticket.failed) continue;
          ticket.results[batch.slots[i]] = {
            topic: batch.topic,
            partition: batch.partition,
            offset: response.baseOffset + i,
            timestamp: batch.records[i].timestamp!,
          };
          if (--ticket.remaining === 0) ticket.resolve(ticket.results);
        }
        return;
      } catch (err) {
        const error = GregorError.from(err);
        if (!error.retriable || attempt >= this.options.retries) {
          if (error.code === 'NOT_FOUND') this.partitionCounts.delete(batch.topic);
          batch.tickets.forEach((t) => this.fail(t, error));
          return;
        }
        await sleep(backoffDelay(attempt, { initialMs: this.options.retryBackoffMs, maxMs: this.options.retryBackoffMaxMs }));
      }
    }
  }

  private fail(ticket: SendTicket, err: Error): void {
    if (ticket.failed) return;
    ticket.failed = true;
    ticket.reject(err);
  }

  /** Sends every waiting batch now and resolves when all sent batches are answered. */
  async flush(): Promise<void> {
    for (const [topic, batches] of this.open) {
      for (const batch of batches) if (batch) this.seal(batch, this.partitionCounts.get(topic) ?? 1);
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Flushes, then closes the stream (and the connection if this producer made it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    this.stream.close();
    if (this.ownsConnection) this.connection.close();
  }
}
