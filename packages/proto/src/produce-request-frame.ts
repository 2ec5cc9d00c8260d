import type { Acks } from './messages';
import { WIRE_TYPE, varintSize, writeVarint } from './wire';

/**
 * A ProduceRequest carrying one batch, serialized by hand around the batch
 * where it already lies, so a producer never copies a batch to send it. The
 * fields go in front of the batch bytes, right-aligned to them, into the
 * headroom the caller left before the batch (produceRequestHeadroom bytes).
 * protobuf lets fields come in any order, so `batch` (4) is written last.
 */

const CORRELATION_ID = (1 << 3) | WIRE_TYPE.varint;
const TOPIC = (2 << 3) | WIRE_TYPE.bytes;
const PARTITION = (3 << 3) | WIRE_TYPE.varint;
const BATCH = (4 << 3) | WIRE_TYPE.bytes;
const ACKS = (6 << 3) | WIRE_TYPE.varint;

const ACKS_VALUES: Record<Acks, number> = { ACKS_ALL: 0, ACKS_LEADER: 1 };

/** The most bytes the request fields take in front of a batch, for a topic name of this many UTF-8 bytes. */
export function produceRequestHeadroom(topicBytes: number): number {
  return 1 + 8 + 1 + 5 + topicBytes + 1 + 5 + 1 + 1 + 1 + 5;
}

export interface ProduceRequestFields {
  correlationId: number;
  topic: string;
  partition: number;
  acks: Acks;
}

/**
 * Writes the request's fields into frame[.., start) and returns the whole
 * serialized request, frame[start - fields, end), the batch being frame[start, end).
 */
export function frameProduceRequest(frame: Buffer, start: number, end: number, fields: ProduceRequestFields): Buffer {
  const { correlationId, topic, partition, acks } = fields;
  if (!Number.isSafeInteger(correlationId) || correlationId < 0) throw new RangeError(`correlation id ${correlationId} is not a uint64`);
  if (!Number.isInteger(partition) || partition < 0 || partition > 0x7fffffff) throw new RangeError(`partition ${partition} is not a non-negative int32`);
  const topicBytes = Buffer.byteLength(topic);
  const batchBytes = end - start;
  const size =
    1 + varintSize(correlationId) + 1 + varintSize(topicBytes) + topicBytes + 1 + varintSize(partition) + 1 + 1 + 1 + varintSize(batchBytes);
  const first = start - size;
  if (first < 0) throw new RangeError(`the request fields need ${size} bytes before the batch, only ${start} are free`);
  let pos = first;
  frame[pos++] = CORRELATION_ID;
  pos = writeVarint(frame, pos, correlationId);
  frame[pos++] = TOPIC;
  pos = writeVarint(frame, pos, topicBytes);
  pos += frame.write(topic, pos, topicBytes, 'utf8');
  frame[pos++] = PARTITION;
  pos = writeVarint(frame, pos, partition);
  frame[pos++] = ACKS;
  frame[pos++] = ACKS_VALUES[acks];
  frame[pos++] = BATCH;
  writeVarint(frame, pos, batchBytes);
  return frame.subarray(first, end);
}
