import * as grpc from '@grpc/grpc-js';
import type { ProduceResponse } from '@gregor/proto';
import { GregorError } from '../errors';

/** What an idempotent producer stamps into every batch header. */
export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/** A sealed batch on its way to the partition leader, encoded as E. */
export interface OutgoingBatch<E> {
  recordCount: number;
  /** Give up (fail the batch) once this passes, ms since epoch. */
  deadline: number;
  /** Sends so far. */
  attempts: number;
  /** Encoded on the first send and resent as these same bytes. */
  encoded: E | null;
  /** Position in the partition's send order, set on the first send. */
  order: number;
}

export interface PartitionSenderOptions<E, B extends OutgoingBatch<E>> {
  /** The batch's bytes; stamped with the identity and base sequence when idempotent. */
  encode(batch: B, identity: ProducerIdentity | null, baseSequence: number): E;
  /** Sends the encoded batch to the partition's current leader. */
  send(encoded: E): Promise<ProduceResponse>;
  /** A batch still being filled that is due to go, taken when the sender has room and nothing queued; none if none is due. */
  takeReady?(): B | undefined;
  completed(batch: B, response: ProduceResponse): void;
  failed(batch: B, err: GregorError): void;
  /** A fresh producer id, after a batch was given up (its sequence gap would block the partition). */
  newIdentity(): Promise<ProducerIdentity>;
  backoffDelay(attempt: number): number;
  /** The producer's identity; null = not idempotent. */
  identity: ProducerIdentity | null;
  maxInFlight: number;
  /** Sends after the first before a batch is given up (the deadline applies too). */
  retries: number;
}

/**
 * Sends one partition's batches in order, none while maxInFlight have gone
 * since the oldest one unanswered. When any fails with a retriable error (or
 * as out of sequence behind an earlier one unanswered), nothing new is sent
 * until every batch in flight is answered; then the failed ones are resent, in
 * their original order and as their original bytes, after a backoff (none
 * after a redirect to the new leader). An idempotent leader drops the resends
 * it already wrote and answers with the original offsets, so each batch lands
 * exactly once.
 *
 * A batch given up (fatal error, deadline) leaves a hole in the sequence: with
 * idempotence, batches sent after it fail too, and the partition continues
 * under a new producer id from sequence 0.
 */
export class PartitionSender<E, B extends OutgoingBatch<E>> {
  private readonly queue: B[] = [];
  private readonly inFlight = new Set<B>();
  private readonly toResend: B[] = [];
  private identity: ProducerIdentity | null;
  private nextSequence = 0;
  private nextOrder = 0;
  /** Order of the first batch given up under the current identity; later ones cannot land. */
  private givenUpAt: number | null = null;
  private givenUpError: GregorError | null = null;
  private waiting = false;
  private resendRound = 0;
  private redirectStreak = 0;
  private lastError: GregorError | null = null;

  constructor(private readonly options: PartitionSenderOptions<E, B>) {
    this.identity = options.identity;
  }

  /** Batches queued or unanswered. */
  get pending(): number {
    return this.queue.length + this.inFlight.size + this.toResend.length;
  }

  /** Whether a batch handed over now would be sent at once (after a batch was given up: under a new producer id). */
  get hasRoom(): boolean {
    if (this.waiting || this.toResend.length > 0 || this.queue.length > 0) return false;
    if (this.givenUpAt !== null) return this.inFlight.size === 0;
    return this.windowOpen();
  }

  /**
   * Whether a new batch may go: not while it would be the maxInFlight-th batch after the oldest
   * one unanswered. The leader remembers a producer's last few batches (as many as maxInFlight
   * may be) to recognise a resend; counting only the batches in flight, those sent after an
   * unanswered one could push it out of that memory, and its resend would be refused.
   */
  private windowOpen(): boolean {
    let oldest = this.nextOrder;
    for (const batch of this.inFlight) if (batch.order < oldest) oldest = batch.order;
    return this.nextOrder - oldest < this.options.maxInFlight;
  }

  enqueue(batch: B): void {
    this.queue.push(batch);
    this.pump();
  }

  private pump(): void {
    if (this.waiting) return;
    const troubled = this.toResend.length > 0 || this.givenUpAt !== null;
    if (troubled && this.inFlight.size > 0) return;
    if (this.toResend.length > 0) {
      this.scheduleResend();
      return;
    }
    if (this.givenUpAt !== null) {
      const ready = this.options.takeReady?.();
      if (ready) this.queue.push(ready);
      if (this.queue.length > 0) this.takeNewIdentity();
      return;
    }
    while (this.queue.length > 0 && this.windowOpen()) this.sendFirst(this.queue.shift()!);
    if (this.windowOpen()) {
      const ready = this.options.takeReady?.();
      if (ready) this.sendFirst(ready);
    }
  }

  private sendFirst(batch: B): void {
    try {
      batch.encoded = this.options.encode(batch, this.identity, this.identity ? this.nextSequence : -1);
    } catch (err) {
      this.options.failed(batch, GregorError.invalid(`cannot encode batch: ${(err as Error).message}`));
      return;
    }
    if (this.identity) this.nextSequence = (this.nextSequence + batch.recordCount) % 2 ** 31;
    batch.order = this.nextOrder++;
    this.dispatch(batch);
  }

  private dispatch(batch: B): void {
    batch.attempts++;
    this.inFlight.add(batch);
    this.options.send(batch.encoded!).then(
      (response) => this.answered(batch, response),
      (err: unknown) => this.refused(batch, GregorError.from(err)),
    );
  }

  private answered(batch: B, response: ProduceResponse): void {
    this.inFlight.delete(batch);
    this.resendRound = 0;
    this.redirectStreak = 0;
    this.options.completed(batch, response);
    this.pump();
  }

  private refused(batch: B, err: GregorError): void {
    this.inFlight.delete(batch);
    if (this.givenUpAt !== null && batch.order > this.givenUpAt) {
      this.options.failed(batch, this.givenUpError ?? err);
    } else if (this.mayResend(batch, err)) {
      this.toResend.push(batch);
      this.lastError = err;
    } else {
      this.giveUp(batch, err);
    }
    this.pump();
  }

  /**
   * A batch refused as out of sequence overtook an earlier one that has not landed yet (lost on
   * the way, or refused itself): resent after it, it lands. With no earlier batch unanswered,
   * the leader has lost the producer's place and a resend would be refused again.
   */
  private mayResend(batch: B, err: GregorError): boolean {
    if (batch.attempts > this.options.retries || Date.now() >= batch.deadline) return false;
    if (err.outOfOrderSequence) return this.anyUnansweredBefore(batch);
    return err.retriable;
  }

  private anyUnansweredBefore(batch: B): boolean {
    for (const earlier of this.inFlight) if (earlier.order < batch.order) return true;
    return this.toResend.some((earlier) => earlier.order < batch.order);
  }

  private giveUp(batch: B, err: GregorError): void {
    this.options.failed(batch, err);
    if (!this.identity) return;
    if (this.givenUpAt === null || batch.order < this.givenUpAt) {
      this.givenUpAt = batch.order;
      this.givenUpError = new GregorError(err.status, `an earlier batch of this partition failed: ${err.message}`, err);
    }
    const givenUpError = this.givenUpError!;
    for (let i = this.toResend.length - 1; i >= 0; i--) {
      if (this.toResend[i].order > this.givenUpAt) this.options.failed(this.toResend.splice(i, 1)[0], givenUpError);
    }
  }

  private scheduleResend(): void {
    const redirected = this.lastError?.redirect === true && this.redirectStreak++ < 3;
    const delay = redirected ? 0 : this.options.backoffDelay(this.resendRound++);
    this.waiting = true;
    setTimeout(() => {
      this.waiting = false;
      this.resend();
    }, delay);
  }

  private resend(): void {
    const batches = this.toResend.splice(0).sort((a, b) => a.order - b.order);
    for (const batch of batches) {
      if (this.givenUpAt !== null && batch.order > this.givenUpAt) this.options.failed(batch, this.givenUpError!);
      else if (Date.now() >= batch.deadline) this.giveUp(batch, this.lastError ?? new GregorError(grpc.status.DEADLINE_EXCEEDED, 'delivery timeout passed'));
      else this.dispatch(batch);
    }
    this.pump();
  }

  private takeNewIdentity(): void {
    this.waiting = true;
    this.options.newIdentity().then(
      (identity) => {
        this.identity = identity;
        this.nextSequence = 0;
        this.givenUpAt = null;
        this.givenUpError = null;
      },
      (err: unknown) => {
        const error = GregorError.from(err);
        for (const batch of this.queue.splice(0)) this.options.failed(batch, error);
      },
    ).finally(() => {
      this.waiting = false;
      this.pump();
    });
  }
}
