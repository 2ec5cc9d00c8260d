import { buildAttributes, CompressionType, TimestampType } from './attributes';
import { writeBatchHeader } from './batch-header';
import {
  BATCH_HEADER_SIZE,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
} from './batch-layout';
import { codecFor } from './compression';
import { RecordsError } from './errors';
import type { Record } from './record-types';
import { recordBodySize, recordSizeWithPrefix, writeRecord } from './record-codec';

export interface BatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  timestampType?: TimestampType;
  transactional?: boolean;
  control?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the first record's timestamp, else the current time. */
  baseTimestamp?: number;
}

function requireInteger(name: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RecordsError('INVALID_ARGUMENT', `${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

const INT16_MAX = 0x7fff;
const INT32_MAX = 0x7fffffff;

/** Rejects options the header fields cannot hold, once per batch, instead of a RangeError midway through writing. */
export function checkOptions(options: BatchOptions): void {
  requireInteger('baseOffset', options.baseOffset, 0, Number.MAX_SAFE_INTEGER);
  requireInteger('partitionLeaderEpoch', options.partitionLeaderEpoch, -INT32_MAX - 1, INT32_MAX);
  requireInteger('producerId', options.producerId, -1, Number.MAX_SAFE_INTEGER);
  requireInteger('producerEpoch', options.producerEpoch, -1, INT16_MAX);
  requireInteger('baseSequence', options.baseSequence, -1, INT32_MAX);
  requireInteger('baseTimestamp', options.baseTimestamp, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  requireInteger('compression', options.compression, CompressionType.None, CompressionType.Zstd);
  requireInteger('timestampType', options.timestampType, TimestampType.CreateTime, TimestampType.LogAppendTime);
}

/** Record body sizes from the sizing pass, reused across calls so encoding allocates nothing per record. */
let bodySizes = new Int32Array(256);

function bodySizesFor(count: number): Int32Array {
  if (bodySizes.length < count) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2));
  return bodySizes;
}

/**
 * Fills buf[pos, end) with the records. The buffer comes from allocUnsafe, so writing exactly to `end` is checked:
 * a sizing mismatch must fail loudly rather than ship stale memory.
 */
function writeRecords(
  buf: Buffer,
  pos: number,
  end: number,
  records: Record[],
  sizes: Int32Array,
  baseTimestamp: number,
): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    pos = writeRecord(buf, pos, record, sizes[i], (record.timestamp ?? baseTimestamp) - baseTimestamp, i);
  }
  if (pos !== end) throw new Error(`encodeBatch sized ${end} bytes of records but wrote ${pos}`);
}

/**
 * Encodes records as one RecordBatch v2 with offset deltas 0..n-1. Sizes are computed first so an uncompressed
 * batch is written straight into a single buffer; a compressed one writes its records section once, then copies
 * the codec's output behind the header.
 */
export function encodeBatch(records: Record[], options: BatchOptions = {}): Buffer {
  const count = records.length;
  if (count === 0) throw new RecordsError('INVALID_ARGUMENT', 'a batch needs at least one record');
  checkOptions(options);
  const baseTimestamp = options.baseTimestamp ?? records[0].timestamp ?? Date.now();
  const sizes = bodySizesFor(count);
  let maxTimestamp = -Infinity;
  let recordsBytes = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i];
    const timestamp = record.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const bodySize = recordBodySize(record, timestamp - baseTimestamp, i);
    sizes[i] = bodySize;
    recordsBytes += recordSizeWithPrefix(bodySize);
  }

  const compression = options.compression ?? CompressionType.None;
  let buf: Buffer;
  if (compression === CompressionType.None) {
    buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsBytes);
    writeRecords(buf, BATCH_HEADER_SIZE, buf.length, records, sizes, baseTimestamp);
  } else {
    const codec = codecFor(compression);
    const section = Buffer.allocUnsafe(recordsBytes);
    writeRecords(section, 0, recordsBytes, records, sizes, baseTimestamp);
    const compressed = codec.compress(section);
    buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    compressed.copy(buf, BATCH_HEADER_SIZE);
  }

  writeHeader(buf, 0, buf.length, options, compression, count, baseTimestamp, maxTimestamp);
  return buf;
}

/** Writes the header of the batch in buf[pos, end) from `options` and the records' count and timestamps. */
export function writeHeader(
  buf: Buffer,
  pos: number,
  end: number,
  options: BatchOptions,
  compression: CompressionType,
  count: number,
  baseTimestamp: number,
  maxTimestamp: number,
): void {
  writeBatchHeader(buf, pos, end, {
    baseOffset: options.baseOffset ?? 0,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    attributes: buildAttributes(
      compression,
      options.timestampType ?? TimestampType.CreateTime,
      options.transactional ?? false,
      options.control ?? false,
    ),
    lastOffsetDelta: count - 1,
    baseTimestamp,
    maxTimestamp,
    producerId: options.producerId ?? NO_PRODUCER_ID,
    producerEpoch: options.producerEpoch ?? NO_PRODUCER_EPOCH,
    baseSequence: options.baseSequence ?? NO_SEQUENCE,
    recordsCount: count,
  });
}
