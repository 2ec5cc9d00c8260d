import type { BatchHeader } from '@gregor/records';
import type { HeaderState } from '@gregor/storage';
import { BrokerError } from '../errors';
import { ProducerEntry, decodeProducers, encodeProducers } from './producer-state-snapshot';

/** The batches of one producer a leader remembers, as Kafka does: enough to spot any retry of an in-flight window. */
const REMEMBERED_BATCHES = 5;
const SEQUENCE_MODULUS = 2 ** 31;

export interface ProducedBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
  lastOffset: number;
  /** The Raft term the batch was written in: it counts as written once committed in that term. */
  term: number;
}

export type SequenceVerdict = { kind: 'new' } | { kind: 'duplicate'; batch: ProducedBatch };

export function lastSequenceOf(header: BatchHeader): number {
  return (header.baseSequence + header.lastOffsetDelta) % SEQUENCE_MODULUS;
}

/**
 * A partition leader's memory of idempotent producers: per producer id, the epoch and the last
 * few batches' sequence ranges with the offsets they were written at. A retried batch is
 * recognised and answered with its original offsets; any other batch must carry the sequence
 * after the producer's last one, so a batch that overtook an earlier one is refused and the
 * producer resends in order; an older epoch is fenced. A new epoch starts at sequence 0, and so
 * does a producer not remembered while every batch of the partition is still in the log; once
 * retention (or a snapshot) has removed the log's beginning, a producer not remembered may have
 * been forgotten with its batches, and may go on at any sequence, as in Kafka.
 */
export class ProducerStates implements HeaderState {
  private readonly producers = new Map<number, ProducerEntry>();
  /**
   * Whether no producer can have been forgotten: true while the log this state was folded from
   * still begins at offset 0. Its owner clears it once the log's beginning is gone.
   */
  knowsEveryProducer = true;

  check(header: BatchHeader): SequenceVerdict {
    const entry = this.producers.get(header.producerId);
    if (!entry) {
      if (this.knowsEveryProducer) expectSequence(header, 0, 'its first batch');
      return { kind: 'new' };
    }
    if (header.producerEpoch < entry.epoch) {
      throw new BrokerError(
        'INVALID_PRODUCER_EPOCH',
        `producer ${header.producerId} epoch ${header.producerEpoch} is fenced by epoch ${entry.epoch}`,
      );
    }
    if (header.producerEpoch > entry.epoch) {
      expectSequence(header, 0, `the first batch of epoch ${header.producerEpoch}`);
      return { kind: 'new' };
    }
    const last = lastSequenceOf(header);
    const duplicate = entry.batches.find((b) => b.firstSequence === header.baseSequence && b.lastSequence === last);
    if (duplicate) return { kind: 'duplicate', batch: duplicate };
    expectSequence(header, (entry.batches[entry.batches.length - 1].lastSequence + 1) % SEQUENCE_MODULUS, 'the next batch');
    return { kind: 'new' };
  }

  record(header: BatchHeader, baseOffset: number, term: number): void {
    let entry = this.producers.get(header.producerId);
    if (!entry || header.producerEpoch > entry.epoch) {
      entry = { epoch: header.producerEpoch, batches: [] };
      this.producers.set(header.producerId, entry);
    }
    entry.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: lastSequenceOf(header),
      baseOffset,
      lastOffset: baseOffset + header.lastOffsetDelta,
      term,
    });
    if (entry.batches.length > REMEMBERED_BATCHES) entry.batches.shift();
  }

  /** Records a batch read back from the log, as it was recorded when written. */
  apply(header: BatchHeader): void {
    if (header.producerId >= 0) this.record(header, header.baseOffset, header.partitionLeaderEpoch);
  }

  snapshot(): Buffer {
    return encodeProducers(this.producers);
  }

  restore(snapshot: Buffer | null): void {
    const restored = snapshot === null ? new Map<number, ProducerEntry>() : decodeProducers(snapshot);
    this.producers.clear();
    for (const [id, entry] of restored) this.producers.set(id, entry);
  }
}

function expectSequence(header: BatchHeader, expected: number, which: string): void {
  if (header.baseSequence === expected) return;
  throw new BrokerError(
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    `producer ${header.producerId} sent sequence ${header.baseSequence} as ${which}, expected ${expected}: resend in order`,
  );
}
