import {
  ATTRIBUTES_POS,
  BASE_OFFSET_POS,
  BASE_SEQUENCE_POS,
  BASE_TIMESTAMP_POS,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_POS,
  CRC_POS,
  CRC_START_POS,
  LAST_OFFSET_DELTA_POS,
  LOG_OVERHEAD,
  MAGIC_POS,
  MAGIC_V2,
  MAX_TIMESTAMP_POS,
  PARTITION_LEADER_EPOCH_POS,
  PRODUCER_EPOCH_POS,
  PRODUCER_ID_POS,
  RECORDS_COUNT_POS,
} from './batch-layout';
import { TIMESTAMP_TYPE_FLAG } from './attributes';
import { crc32c } from './crc';
import { RecordsError } from './errors';
import { readInt64, writeInt64 } from './int64';

/** The fixed 61-byte prefix of a batch. int64 fields are JS numbers (exact up to 2^53); producerId -1 means none. */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

function requireHeaderBytes(buf: Buffer, pos: number): void {
  if (pos < 0 || buf.length - pos < BATCH_HEADER_SIZE) {
    throw new RecordsError(
      'BATCH_TOO_SHORT',
      `a batch header needs ${BATCH_HEADER_SIZE} bytes, ${Math.max(0, buf.length - pos)} given at position ${pos}`,
    );
  }
}

/** Parses the header without checking the CRC or any field; throws BATCH_TOO_SHORT if fewer than 61 bytes remain. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  requireHeaderBytes(buf, pos);
  return {
    baseOffset: readInt64(buf, pos + BASE_OFFSET_POS),
    batchLength: buf.readInt32BE(pos + BATCH_LENGTH_POS),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_POS),
    magic: buf.readInt8(pos + MAGIC_POS),
    crc: buf.readUInt32BE(pos + CRC_POS),
    attributes: buf.readInt16BE(pos + ATTRIBUTES_POS),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_POS),
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP_POS),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_POS),
    producerId: readInt64(buf, pos + PRODUCER_ID_POS),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_POS),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_POS),
    recordsCount: buf.readInt32BE(pos + RECORDS_COUNT_POS),
  };
}

/** Total bytes the batch at `pos` occupies, as its length field claims (LOG_OVERHEAD + batchLength). */
export function batchSize(buf: Buffer, pos = 0): number {
  if (pos < 0 || buf.length - pos < LOG_OVERHEAD) {
    throw new RecordsError('BATCH_TOO_SHORT', `a batch length field needs ${LOG_OVERHEAD} bytes at position ${pos}`);
  }
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_POS);
}

/**
 * Checks a batch as a leader must before accepting it: enough bytes, a length field that fits the bytes given
 * (bytes after the batch are allowed — compare batchSize with the buffer length to insist on exactly one batch),
 * the size limit, magic 2, the CRC-32C, and an offset range that can hold the records (lastOffsetDelta >= 0,
 * 0 <= recordsCount <= lastOffsetDelta + 1: compaction leaves a stored batch its offset range and fewer records).
 * `crcChecked`: the caller has checked this batch's CRC itself already (a leader writing a batch it validated
 * when it was produced).
 */
export function validateBatch(buf: Buffer, pos = 0, maxBatchBytes = Infinity, crcChecked = false): BatchHeader {
  requireHeaderBytes(buf, pos);
  const size = batchSize(buf, pos);
  if (size < BATCH_HEADER_SIZE) {
    throw new RecordsError('BATCH_TOO_SHORT', `batch length field claims ${size} bytes, less than the header`);
  }
  if (size > maxBatchBytes) {
    throw new RecordsError('BATCH_TOO_LARGE', `batch of ${size} bytes exceeds the limit of ${maxBatchBytes}`);
  }
  if (size > buf.length - pos) {
    throw new RecordsError(
      'BATCH_LENGTH_MISMATCH',
      `batch length field claims ${size} bytes but only ${buf.length - pos} are given`,
    );
  }
  const magic = buf.readInt8(pos + MAGIC_POS);
  if (magic !== MAGIC_V2) {
    throw new RecordsError('INVALID_MAGIC', `magic ${magic}, only ${MAGIC_V2} is supported`);
  }
  const header = readBatchHeader(buf, pos);
  const actualCrc = crcChecked ? header.crc : crc32c(buf.subarray(pos + CRC_START_POS, pos + size));
  if (actualCrc !== header.crc) {
    throw new RecordsError(
      'CORRUPT_BATCH',
      `CRC-32C mismatch: header says ${header.crc.toString(16)}, bytes give ${actualCrc.toString(16)}`,
    );
  }
  if (header.lastOffsetDelta < 0) {
    throw new RecordsError('INVALID_BATCH', `negative lastOffsetDelta ${header.lastOffsetDelta}`);
  }
  if (header.recordsCount < 0 || header.recordsCount > header.lastOffsetDelta + 1) {
    throw new RecordsError(
      'INVALID_BATCH',
      `recordsCount ${header.recordsCount} does not fit lastOffsetDelta ${header.lastOffsetDelta} + 1`,
    );
  }
  return header;
}

/** A produced batch has one record per offset of its range, as Kafka's produce validation insists. */
function requireDenseOffsets(header: BatchHeader): void {
  if (header.recordsCount !== header.lastOffsetDelta + 1) {
    throw new RecordsError(
      'INVALID_BATCH',
      `recordsCount ${header.recordsCount} does not match lastOffsetDelta ${header.lastOffsetDelta} + 1`,
    );
  }
}

/**
 * validateBatch for a buffer that must hold exactly one produced batch: trailing bytes are refused
 * too, since a log that stored them would misread everything after, and so is a record count that
 * does not fill the offset range.
 */
export function validateSingleBatch(buf: Buffer, maxBatchBytes = Infinity): BatchHeader {
  const header = validateBatch(buf, 0, maxBatchBytes);
  requireDenseOffsets(header);
  const size = LOG_OVERHEAD + header.batchLength;
  if (size !== buf.length) {
    throw new RecordsError('INVALID_BATCH', `expected exactly one batch of ${size} bytes, got ${buf.length} bytes`);
  }
  return header;
}

/** Stamps the offset the log assigns; baseOffset lies outside the CRC, so no checksum update is needed. */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  requireHeaderBytes(buf, pos);
  writeInt64(buf, pos + BASE_OFFSET_POS, offset);
}

/** Stamps the leader's term; partitionLeaderEpoch lies outside the CRC, so no checksum update is needed. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  requireHeaderBytes(buf, pos);
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH_POS);
}

/**
 * Marks the batch as LogAppendTime with `timestamp` as its maxTimestamp, as a Kafka leader does for topics with
 * message.timestamp.type=LogAppendTime. Both fields are under the CRC, so the CRC is recomputed: the caller must
 * have validated the batch first, or this would bless corrupt bytes.
 */
export function setLogAppendTime(buf: Buffer, pos: number, timestamp: number): void {
  requireHeaderBytes(buf, pos);
  const end = pos + batchSize(buf, pos);
  if (end > buf.length || end < pos + BATCH_HEADER_SIZE) {
    throw new RecordsError('BATCH_LENGTH_MISMATCH', `batch at ${pos} claims ${end - pos} bytes, ${buf.length - pos} given`);
  }
  buf.writeInt16BE(buf.readInt16BE(pos + ATTRIBUTES_POS) | TIMESTAMP_TYPE_FLAG, pos + ATTRIBUTES_POS);
  writeInt64(buf, pos + MAX_TIMESTAMP_POS, timestamp);
  buf.writeUInt32BE(crc32c(buf.subarray(pos + CRC_START_POS, end)), pos + CRC_POS);
}

/** Fields an encoder chooses; batchLength, magic and crc follow from the bytes. */
export type BatchHeaderFields = Omit<BatchHeader, 'batchLength' | 'magic' | 'crc'>;

/** Writes the header of a batch whose records already sit at pos+61..end, then its CRC. */
export function writeBatchHeader(buf: Buffer, pos: number, end: number, fields: BatchHeaderFields): void {
  writeInt64(buf, pos + BASE_OFFSET_POS, fields.baseOffset);
  buf.writeInt32BE(end - pos - LOG_OVERHEAD, pos + BATCH_LENGTH_POS);
  buf.writeInt32BE(fields.partitionLeaderEpoch, pos + PARTITION_LEADER_EPOCH_POS);
  buf.writeInt8(MAGIC_V2, pos + MAGIC_POS);
  buf.writeInt16BE(fields.attributes, pos + ATTRIBUTES_POS);
  buf.writeInt32BE(fields.lastOffsetDelta, pos + LAST_OFFSET_DELTA_POS);
  writeInt64(buf, pos + BASE_TIMESTAMP_POS, fields.baseTimestamp);
  writeInt64(buf, pos + MAX_TIMESTAMP_POS, fields.maxTimestamp);
  writeInt64(buf, pos + PRODUCER_ID_POS, fields.producerId);
  buf.writeInt16BE(fields.producerEpoch, pos + PRODUCER_EPOCH_POS);
  buf.writeInt32BE(fields.baseSequence, pos + BASE_SEQUENCE_POS);
  buf.writeInt32BE(fields.recordsCount, pos + RECORDS_COUNT_POS);
  buf.writeUInt32BE(crc32c(buf.subarray(pos + CRC_START_POS, end)), pos + CRC_POS);
}
