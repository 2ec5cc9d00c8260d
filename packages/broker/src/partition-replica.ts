import type { AppendResult, PartitionLog, ReadResult } from '@gregor/storage';
import { BrokerError } from './errors';

type Waiter = { afterOffset: number; wake: () => void };

/**
 * One partition's replica on this broker: owns its PartitionLog and the high
 * watermark (the end of committed data, which readers never pass). With a
 * single node the high watermark follows acknowledged appends; Raft
 * replication will move it by the commit index instead.
 *
 * Readers waiting for new data (long polls, subscriptions) register here and
 * are woken when the high watermark moves — no polling.
 */
export class PartitionReplica {
  private hw: number;
  private waiters = new Set<Waiter>();
  private closed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
  ) {
    this.hw = log.logEndOffset;
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  get highWatermark(): number {
    return this.hw;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  async append(batch: Buffer): Promise<AppendResult> {
    const result = await this.log.append(batch);
    this.advanceHighWatermark(result.lastOffset + 1);
    return result;
  }

  private advanceHighWatermark(offset: number): void {
    if (offset <= this.hw) return;
    this.hw = offset;
    for (const waiter of this.waiters) {
      if (waiter.afterOffset < offset) waiter.wake();
    }
  }

  /** Throws OFFSET_OUT_OF_RANGE unless logStartOffset <= offset <= highWatermark. */
  checkOffset(offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < this.logStartOffset || offset > this.hw) {
      throw new BrokerError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is out of range for ${this.name}: log start offset ${this.logStartOffset}, end offset ${this.hw}`,
      );
    }
  }

  /** Whole batches from the one containing `offset`, never past the high watermark. */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    this.checkOffset(offset);
    if (offset === this.hw) return { bytes: Buffer.alloc(0), nextOffset: offset };
    return this.log.read(offset, maxBytes, this.hw);
  }

  /**
   * Resolves once the high watermark passes `afterOffset` (true), or on
   * timeout, abort or close (false).
   */
  waitForData(afterOffset: number, timeoutMs: number | null, signal?: AbortSignal): Promise<boolean> {
    if (this.hw > afterOffset) return Promise.resolve(true);
    if (this.closed || signal?.aborted || timeoutMs === 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        resolve(this.hw > afterOffset);
      };
      const waiter: Waiter = { afterOffset, wake: finish };
      this.waiters.add(waiter);
      if (timeoutMs !== null) timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish);
    });
  }

  offsetForTimestamp(timestamp: number): Promise<number | null> {
    return this.log.offsetForTimestamp(timestamp);
  }

  /** Wakes every waiter; then flushes and closes the log. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) waiter.wake();
    await this.log.close();
  }
}
