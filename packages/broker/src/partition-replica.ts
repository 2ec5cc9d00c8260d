import { RecordsError, validateBatch, visitRecords } from '@gregor/records';
import { compacts, type AppendResult, type PartitionLog, type ReadResult } from '@gregor/storage';
import { BrokerError } from './errors';
import type { Acks } from './replication/pending-appends';
import { PartitionTraffic } from './partition-traffic';
import type { ReplicatedPartition } from './replication/replicated-partition';

type Waiter = { afterOffset: number; wake: () => void };

/** How long a reader waits for a new leader to learn its commit index: an election timeout or two. */
export const COMMIT_KNOWN_TIMEOUT_MS = 10_000;

/** Starts the Raft side of a replica, which owns the high watermark and reports every move of it. */
/** Whether the batch fails validation, its CRC included. */
function corrupt(batch: Buffer): boolean {
  try {
    validateBatch(batch);
    return false;
  } catch {
    return true;
  }
}

/** What a compressed batch produced to a compacted topic may inflate to for its keys to be checked. */
const KEY_CHECK_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export type StartReplication = (onHighWatermark: (highWatermark: number) => void) => ReplicatedPartition;

/**
 * One partition's replica on this broker: its PartitionLog and the Raft group that replicates it,
 * whose commit index is the high watermark (the end of the data readers may see). Produce and
 * reads are served by the leader only.
 *
 * Readers waiting for new data (long polls, subscriptions) register here and are woken when the
 * high watermark moves — no polling.
 */
export class PartitionReplica {
  private waiters = new Set<Waiter>();
  private closed = false;
  readonly replication: ReplicatedPartition;
  /** Client produce and reads, counted by the services that serve them. */
  readonly traffic = new PartitionTraffic();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: PartitionLog,
    startReplication: StartReplication,
  ) {
    this.replication = startReplication((hw) => this.wakeWaiters(hw));
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  get highWatermark(): number {
    return this.replication.highWatermark;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get leaderId(): number {
    return this.replication.leaderId;
  }

  /** Appends one batch through Raft, which checks leadership and the topic's max.message.bytes. */
  append(batch: Buffer, acks: Acks = 'all'): Promise<AppendResult> {
    const config = this.log.config();
    // A batch over max.message.bytes is refused by the append, unread.
    if (compacts(config) && batch.length <= config.maxMessageBytes) this.requireKeys(batch);
    return this.replication.append(batch, acks, config.maxMessageBytes);
  }

  /**
   * Compaction keeps the newest record per key, so a compacted topic refuses records without one,
   * as Kafka does. Checking means decompressing, so a batch inflating past a bound is refused
   * (BATCH_TOO_LARGE) rather than let a small request fill the heap. The CRC is left to the
   * append, which checks it anyway; only a refusal checks it here, so that a corrupt batch is
   * told it is corrupt.
   */
  private requireKeys(batch: Buffer): void {
    let keyless = false;
    try {
      visitRecords(
        batch,
        (record) => {
          keyless ||= record.key === null;
        },
        KEY_CHECK_MAX_DECOMPRESSED_BYTES,
        true,
      );
    } catch (err) {
      // A malformed or corrupt batch is refused by the append itself, with the error produce has always given it.
      if ((err instanceof RecordsError && err.code !== 'BATCH_TOO_LARGE') || corrupt(batch)) return;
      throw err;
    }
    if (keyless && !corrupt(batch)) throw new RecordsError('INVALID_RECORD', `${this.name} has cleanup.policy=compact and takes only records with a key`);
  }

  private requireOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): BrokerError {
    return new BrokerError('SHUTTING_DOWN', `${this.name} is closed: its topic was deleted or its broker is stopping`);
  }

  /** Throws NOT_LEADER (naming the leader) unless this replica leads its partition. */
  requireLeader(): void {
    if (!this.replication.isLeader) throw this.replication.notLeader();
  }

  /**
   * The high watermark once this leader knows it to be the whole commit index (see
   * ReplicatedPartition.highWatermarkComplete), for state that must reflect every committed
   * write. Throws NOT_LEADER off the leader, LEADER_NOT_AVAILABLE if that takes over `timeoutMs`.
   */
  async completeHighWatermark(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.requireOpen();
      this.requireLeader();
      if (this.replication.highWatermarkComplete) return this.highWatermark;
      const left = deadline - Date.now();
      if (left <= 0) throw new BrokerError('LEADER_NOT_AVAILABLE', `${this.name}'s new leader has not yet committed an entry of its term; retry`);
      await this.waitForData(this.highWatermark, left);
    }
  }

  private wakeWaiters(offset: number): void {
    for (const waiter of this.waiters) {
      if (waiter.afterOffset < offset) waiter.wake();
    }
  }

  /**
   * Throws NOT_LEADER on a follower (whose log may lag: its range says nothing to a reader), then
   * OFFSET_OUT_OF_RANGE unless logStartOffset <= offset <= logEndOffset. Offsets past the high
   * watermark but within the log are valid: they become readable once committed (a new leader's
   * high watermark can briefly trail the one its predecessor announced).
   */
  checkOffset(offset: number): void {
    this.requireLeader();
    const end = Math.max(this.highWatermark, this.logEndOffset);
    if (!Number.isSafeInteger(offset) || offset < this.logStartOffset || offset > end) {
      throw new BrokerError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is out of range for ${this.name}: log start offset ${this.logStartOffset}, end offset ${this.highWatermark}`,
      );
    }
  }

  /** Whole batches from the one containing `offset`, never past the high watermark. Leader only. See PartitionLog.read for `headroom`. */
  async read(offset: number, maxBytes: number, headroom = 0): Promise<ReadResult> {
    this.checkOffset(offset);
    if (offset >= this.highWatermark) return { bytes: Buffer.alloc(0), nextOffset: offset };
    return this.log.read(offset, maxBytes, this.highWatermark, headroom);
  }

  /**
   * Resolves once the high watermark passes `afterOffset` (true), or on
   * timeout or abort (false). Rejects with SHUTTING_DOWN (retriable) once the
   * replica closes, so no reader loops on a replica that will not move again.
   */
  waitForData(afterOffset: number, timeoutMs: number | null, signal?: AbortSignal): Promise<boolean> {
    if (this.highWatermark > afterOffset) return Promise.resolve(true);
    if (this.closed) return Promise.reject(this.closedError());
    if (signal?.aborted || timeoutMs === 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        if (this.highWatermark > afterOffset) resolve(true);
        else if (this.closed) reject(this.closedError());
        else resolve(false);
      };
      const waiter: Waiter = { afterOffset, wake: finish };
      this.waiters.add(waiter);
      if (timeoutMs !== null) timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish);
    });
  }

  offsetForTimestamp(timestamp: number): Promise<number | null> {
    this.requireLeader();
    return this.log.offsetForTimestamp(timestamp);
  }

  maxTimestampRecord(): Promise<{ offset: number; timestamp: number } | null> {
    this.requireLeader();
    return this.log.maxTimestampRecord();
  }

  /** Wakes every waiter, stops the Raft group, then flushes and closes the log. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) waiter.wake();
    this.replication.close();
    await this.log.close();
  }
}
