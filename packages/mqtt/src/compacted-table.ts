import { Admin, type Cluster, Consumer, type ConsumerRecord, GregorError, type Producer } from '@gregor/client';

export interface CompactedTableOptions<V> {
  cluster: Cluster;
  /** A single-partition topic with cleanup.policy=compact, created by whichever side needs it first. */
  topic: string;
  /** Replicas of the topic when this side creates it (asked once the cluster answers). */
  replicationFactor(): number;
  /** The value a record sets for its key; null removes the key (a tombstone). */
  decode(record: ConsumerRecord): V | null;
  /** After each change of this copy. */
  onChange?(): void;
  onError(error: unknown): void;
}

/** What a table's owner passes on to its CompactedTable: all but the table's own topic and decoding. */
export type TableOptions = Pick<CompactedTableOptions<unknown>, 'cluster' | 'replicationFactor' | 'onError'>;

/** A table's owner that also writes to it. */
export interface WritableTableOptions extends TableOptions {
  producer: Producer;
}

/**
 * A table kept in a compacted topic: the topic is the store, written by anyone, and this is one
 * reader's copy, built by reading the topic from its start and then following it. Compaction
 * keeps the topic at one record per key.
 */
export class CompactedTable<V> {
  private readonly table = new Map<string, V>();
  private consumer: Consumer | null = null;
  private caughtUp!: () => void;
  /** Resolves once the table holds everything the topic held when start() was called. */
  readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));
  private closed = false;
  /** The offset after the last record this copy has taken in. */
  private position = 0;
  private readonly positionWaiters: Array<{ offset: number; reached(): void }> = [];

  private readonly admin: Admin;

  constructor(private readonly options: CompactedTableOptions<V>) {
    this.admin = new Admin({ cluster: options.cluster });
  }

  /** Creates the topic if need be, then follows it from its start; retries until the cluster answers. */
  async start(): Promise<void> {
    const { cluster } = this.options;
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.ensureTopic();
        const end = await this.endOffset();
        this.consumer = new Consumer({ cluster, autoOffsetReset: 'earliest', maxBufferedBytes: 1024 * 1024 });
        await this.consumer.assign([{ topic: this.options.topic, partition: 0 }]);
        await this.follow(end);
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

  /** The offset after the topic's last committed record. */
  private async endOffset(): Promise<number> {
    const [end] = await this.admin.listOffsets(this.options.topic, 'latest', [0]);
    return end?.offset ?? 0;
  }

  private async ensureTopic(): Promise<void> {
    try {
      await this.admin.createTopic(this.options.topic, { partitions: 1, replicationFactor: this.options.replicationFactor(), configs: { 'cleanup.policy': 'compact' } });
    } catch (err) {
      if (GregorError.from(err).code !== 'ALREADY_EXISTS') throw err;
    }
  }

  private async follow(end: number): Promise<void> {
    if (end === 0) this.caughtUp();
    for await (const batch of this.consumer!.batches()) {
      for (const record of batch) {
        const key = record.key?.toString();
        if (key !== undefined) this.setLocally(key, this.options.decode(record));
        if (record.offset + 1 >= end) this.caughtUp();
        this.position = record.offset + 1;
        for (let i = this.positionWaiters.length - 1; i >= 0; i--) {
          if (this.positionWaiters[i].offset <= this.position) this.positionWaiters.splice(i, 1)[0].reached();
        }
      }
    }
  }

  /**
   * Resolves once this copy holds everything the topic has committed now, written by anyone; rejects
   * after `timeoutMs`. For a decision another broker's recent write must inform.
   */
  async sync(timeoutMs: number): Promise<void> {
    await this.ready;
    const offset = await this.endOffset();
    if (offset <= this.position) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        offset,
        reached: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.positionWaiters.splice(this.positionWaiters.indexOf(waiter), 1);
        reject(new Error(`${this.options.topic} not read up to ${offset} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.positionWaiters.push(waiter);
    });
  }

  /** Changes this copy ahead of the topic: for a write this side made, before following brings it back. */
  setLocally(key: string, value: V | null): void {
    if (value === null) this.table.delete(key);
    else this.table.set(key, value);
    this.options.onChange?.();
  }

  get(key: string): V | undefined {
    return this.table.get(key);
  }

  keys(): string[] {
    return [...this.table.keys()];
  }

  /** The values in the order their keys were added (a key removed and set again comes last). */
  values(): V[] {
    return [...this.table.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.caughtUp();
    await this.consumer?.close();
  }
}
