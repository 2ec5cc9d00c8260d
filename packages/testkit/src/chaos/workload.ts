import { Cluster, Consumer, ConsumerRecord, Producer, ProducerRecord, RecordMetadata } from '@gregor/client';
import { mulberry32, randomInt } from '../prng';
import { waitFor } from '../wait-for';
import { Ack, Observation } from './history';

export interface WorkloadOptions {
  /** Bootstrap brokers, comma-separated (the cluster's bootstrap value). */
  brokers: string;
  topic: string;
  partitions: number;
  producers: number;
  /** Records per second across all producers. */
  recordsPerSecond: number;
  /** Unacknowledged send() calls each producer keeps open. */
  inFlightPerProducer?: number;
  seed: number;
  requestTimeoutMs?: number;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The load a chaos run puts on the cluster: idempotent acks=all producers
 * sending uniquely named values ("p<producer>-<seq>") with seeded keys, and a
 * consumer reading every partition from the beginning. Every acknowledgement
 * and every record read is recorded for the checker.
 */
export class Workload {
  readonly acks: Ack[] = [];
  readonly observations: Observation[] = [];
  sendErrors = 0;
  consumerSessions = 0;
  private producing = false;
  private consuming = false;
  private readonly running: Array<Promise<void>> = [];
  private consumer: Consumer | null = null;
  /** Each producer's connections, closed to abandon sends that outlive stopProducing's deadline. */
  private readonly producerClusters: Cluster[] = [];
  private readonly positions = new Map<number, number>();
  private lastError = '';

  constructor(private readonly options: WorkloadOptions) {}

  start(): void {
    this.producing = true;
    this.consuming = true;
    for (let p = 0; p < this.options.producers; p++) this.running.push(this.produce(p));
    this.running.push(this.consume());
  }

  /**
   * Stops sending and waits until every send has been answered or has failed; sends still open
   * after `deadlineMs` are abandoned (their connections closed) and stay unacknowledged.
   */
  async stopProducing(deadlineMs: number): Promise<void> {
    this.producing = false;
    const producers = Promise.all(this.running.slice(0, this.options.producers));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), deadlineMs)));
    if (await Promise.race([producers.then(() => false), expired])) {
      this.options.log(`chaos: abandoning sends still unanswered after ${deadlineMs} ms`);
      this.producerClusters.forEach((cluster) => cluster.close());
      await producers;
    }
    clearTimeout(timer);
  }

  async stopConsuming(): Promise<void> {
    this.consuming = false;
    this.consumer?.close();
    await Promise.all(this.running);
  }

  /** The last error a client met, for progress lines. */
  get lastClientError(): string {
    return this.lastError;
  }

  private async produce(id: number): Promise<void> {
    const { topic, brokers, requestTimeoutMs } = this.options;
    const random = mulberry32((this.options.seed ^ Math.imul(id + 1, 0x9e3779b9)) >>> 0);
    const rate = this.options.recordsPerSecond / this.options.producers;
    const window = this.options.inFlightPerProducer ?? 4;
    const cluster = new Cluster({ brokers, requestTimeoutMs: requestTimeoutMs ?? 5000, retryBackoffMaxMs: 1000 });
    this.producerClusters.push(cluster);
    const producer = new Producer({ cluster, acks: 'all', idempotent: true, deliveryTimeoutMs: 30000 });
    const pending = new Set<Promise<void>>();
    const started = Date.now();
    let seq = 0;
    try {
      while (this.producing) {
        const due = ((Date.now() - started) / 1000) * rate;
        if (seq >= due || pending.size >= window) {
          await Promise.race([sleep(Math.max(1, ((seq - due) / rate) * 1000)), ...pending]);
          continue;
        }
        const count = randomInt(random, 1, 5);
        const records: ProducerRecord[] = [];
        const firstIndex = seq;
        for (let i = 0; i < count; i++) records.push({ key: `k${randomInt(random, 0, 999)}`, value: `p${id}-${seq++}` });
        const sending = producer
          .send(topic, records)
          .then((results: RecordMetadata[]) => {
            results.forEach((r, i) =>
              this.acks.push({ partition: r.partition, offset: r.offset, value: records[i].value as string, producer: id, sendIndex: firstIndex + i }),
            );
          })
          .catch((err: Error) => {
            this.sendErrors++;
            this.lastError = `producer ${id}: ${err.message}`;
          })
          .finally(() => pending.delete(sending));
        pending.add(sending);
      }
      await Promise.all(pending);
    } finally {
      await producer.close().catch(() => undefined);
      cluster.close();
    }
  }

  /** Reads every partition from the beginning; after a failure a new session resumes where the last one stopped. */
  private async consume(): Promise<void> {
    const { topic, brokers, partitions } = this.options;
    while (this.consuming) {
      const session = ++this.consumerSessions;
      const consumer = new Consumer({ brokers, autoOffsetReset: 'earliest', requestTimeoutMs: 5000, retryBackoffMaxMs: 1000 });
      this.consumer = consumer;
      try {
        const assignment = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
        await consumer.assign(assignment);
        for (const tp of assignment) await consumer.seek(tp, this.positions.get(tp.partition) ?? 0);
        for await (const record of consumer) this.observe(session, record);
      } catch (err) {
        this.lastError = `consumer: ${(err as Error).message}`;
        if (this.consuming) await sleep(500);
      } finally {
        consumer.close();
      }
    }
  }

  private observe(session: number, record: ConsumerRecord): void {
    const value = record.value?.toString('utf8') ?? '';
    this.observations.push({ consumer: session, partition: record.partition, offset: record.offset, value });
    this.positions.set(record.partition, record.offset + 1);
  }
}

/**
 * Reads each partition through a fresh consumer from offset 0 up to its high
 * watermark; returns what it read, possibly short if the deadline passed.
 */
export async function readAll(
  brokers: string,
  topic: string,
  highWatermarks: ReadonlyMap<number, number>,
  deadlineMs: number,
): Promise<Map<number, Array<{ offset: number; value: string }>>> {
  const read = new Map<number, Array<{ offset: number; value: string }>>();
  const consumer = new Consumer({ brokers, requestTimeoutMs: 5000 });
  const assignment = [...highWatermarks.keys()].map((partition) => ({ topic, partition }));
  for (const tp of assignment) read.set(tp.partition, []);
  const done = (): boolean => assignment.every((tp) => consumer.position(tp) >= highWatermarks.get(tp.partition)!);
  const deadline = Date.now() + deadlineMs;
  try {
    // A partition whose leader is still settling fails its assignment: assigned again until the deadline.
    const assigned = await waitFor(() => consumer.assign(assignment).then(() => true), deadlineMs, 'the final reads to be assigned', 200).catch(() => false);
    if (!assigned) return read;
    for (const tp of assignment) await consumer.seek(tp, 0);
    const reading = (async () => {
      for await (const record of consumer) {
        if (record.offset < highWatermarks.get(record.partition)!) {
          read.get(record.partition)!.push({ offset: record.offset, value: record.value?.toString('utf8') ?? '' });
        }
      }
    })().catch(() => undefined);
    while (!done() && Date.now() < deadline) await sleep(50);
    consumer.close();
    await reading;
  } finally {
    consumer.close();
  }
  return read;
}
