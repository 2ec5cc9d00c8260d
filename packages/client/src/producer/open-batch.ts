import type { BatchBuilder, BuiltBatch } from '@gregor/records';
import type { ProduceResponse } from '@gregor/proto';
import type { OutgoingBatch, ProducerIdentity } from './partition-sender';
import type { RecordMetadata } from './producer-record';

/** A send() of several records, completed when all of them are acknowledged. */
export interface SendTicket {
  results: RecordMetadata[];
  remaining: number;
  failed: boolean;
  resolve(results: RecordMetadata[]): void;
  reject(err: Error): void;
}

export type Resolve = (metadata: RecordMetadata) => void;
export type Reject = (err: Error) => void;

/** Records gathering for one partition, written straight into the batch, then sent by its PartitionSender. */
export interface OpenBatch extends OutgoingBatch<BuiltBatch> {
  topic: string;
  partition: number;
  builder: BatchBuilder;
  /**
   * For each record: its timestamp, and who waits for it. A send() of one record (the common case)
   * is answered through its promise's own resolve and reject, with no ticket; a record of a
   * many-record send has its ticket and its index within it, and null resolve and reject.
   */
  timestamps: number[];
  tickets: Array<SendTicket | null>;
  slots: number[];
  resolves: Array<Resolve | null>;
  rejects: Array<Reject | null>;
  /** Key, value and header bytes of the records, as counted against maxBufferedBytes. */
  payloadBytes: number;
  /** The topic's partition count when the batch was opened, for the sticky partitioner. */
  partitionCount: number;
  timer: NodeJS.Timeout | null;
  /** Linger has passed: the batch goes as soon as its partition may send another, filling until then. */
  ready: boolean;
}

export function encodeBatch(batch: OpenBatch, identity: ProducerIdentity | null, baseSequence: number): BuiltBatch {
  return batch.builder.finish(identity ? { producerId: identity.producerId, producerEpoch: identity.producerEpoch, baseSequence } : {});
}

/** Answers each record of the acknowledged batch with its offset. */
export function answerRecords(batch: OpenBatch, response: ProduceResponse): void {
  for (let i = 0; i < batch.recordCount; i++) {
    const ticket = batch.tickets[i];
    if (ticket?.failed) continue;
    const metadata: RecordMetadata = { topic: batch.topic, partition: batch.partition, offset: response.baseOffset + i, timestamp: batch.timestamps[i] };
    if (ticket === null) {
      batch.resolves[i]!(metadata);
    } else {
      ticket.results[batch.slots[i]] = metadata;
      if (--ticket.remaining === 0) ticket.resolve(ticket.results);
    }
  }
}

export function failRecords(batch: OpenBatch, err: Error): void {
  for (let i = 0; i < batch.tickets.length; i++) failSend(batch.tickets[i], batch.rejects[i], err);
}

/** Fails a record's send: a many-record send once, at its first failed record. */
export function failSend(ticket: SendTicket | null, reject: Reject | null, err: Error): void {
  if (ticket === null) {
    reject!(err);
  } else if (!ticket.failed) {
    ticket.failed = true;
    ticket.reject(err);
  }
}
