import { WIRE_TYPE, varintSize, writeVarint } from './wire';

/**
 * A SubscribeResponse serialized by hand in front of its records where a log
 * read left them, so a broker does not copy every pushed chunk into protobuf's
 * buffer. The fields go right-aligned before the records, in the
 * SUBSCRIBE_RESPONSE_HEADROOM bytes the read left free.
 */

const RECORDS = (1 << 3) | WIRE_TYPE.bytes;
const HIGH_WATERMARK = (2 << 3) | WIRE_TYPE.varint;
const NEXT_OFFSET = (3 << 3) | WIRE_TYPE.varint;

/** The most bytes the response fields take: two int64 fields and the records' tag and length. */
export const SUBSCRIBE_RESPONSE_HEADROOM = 1 + 10 + 1 + 10 + 1 + 5;

/** The serialized response: the fields, then `records`, which must have SUBSCRIBE_RESPONSE_HEADROOM free bytes before it in its buffer. */
export function frameSubscribeResponse(records: Buffer, highWatermark: number, nextOffset: number): Buffer {
  for (const [name, value] of [['high watermark', highWatermark], ['next offset', nextOffset]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} ${value} is not a non-negative int64`);
  }
  const size = 1 + varintSize(highWatermark) + 1 + varintSize(nextOffset) + 1 + varintSize(records.length);
  if (records.byteOffset < size) throw new RangeError(`the response fields need ${size} bytes before the records, only ${records.byteOffset} are free`);
  const frame = Buffer.from(records.buffer, records.byteOffset - size, size + records.length);
  let pos = 0;
  frame[pos++] = HIGH_WATERMARK;
  pos = writeVarint(frame, pos, highWatermark);
  frame[pos++] = NEXT_OFFSET;
  pos = writeVarint(frame, pos, nextOffset);
  frame[pos++] = RECORDS;
  writeVarint(frame, pos, records.length);
  return frame;
}
