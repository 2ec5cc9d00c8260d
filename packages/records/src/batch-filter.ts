import { compressionOf, COMPRESSION_MASK, CompressionType, timestampTypeOf, TimestampType } from './attributes';
import { type BatchHeader, validateBatch, writeBatchHeader } from './batch-header';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, NO_PRODUCER_ID } from './batch-layout';
import { codecFor } from './compression';
import { RecordsError } from './errors';
import { readRecord } from './record-codec';
import { ByteReader } from './varint';

/** What a filter sees of one record: enough to decide whether a later record replaced it. */
export interface FilteredRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  /** A null value: a tombstone, in a compacted topic. */
  valueIsNull: boolean;
}

/** Validates the batch (its CRC unless `crcChecked`) and calls `visit` with each record and its bytes as stored, in order. */
function walkRecords(buf: Buffer, crcChecked: boolean, visit: (record: FilteredRecord, stored: Buffer) => void): BatchHeader {
  const header = validateBatch(buf, 0, Infinity, crcChecked);
  const compression = compressionOf(header.attributes);
  const end = LOG_OVERHEAD + header.batchLength;
  const packed = buf.subarray(BATCH_HEADER_SIZE, end);
  const section = compression === CompressionType.None ? packed : codecFor(compression).decompress(packed, Infinity);
  const logAppendTime = timestampTypeOf(header.attributes) === TimestampType.LogAppendTime;
  const reader = new ByteReader(section, 0, section.length);
  for (let i = 0; i < header.recordsCount; i++) {
    const from = reader.pos;
    const raw = readRecord(reader);
    const record = {
      offset: header.baseOffset + raw.offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + raw.timestampDelta,
      key: raw.key,
      valueIsNull: raw.value === null,
    };
    visit(record, section.subarray(from, reader.pos));
  }
  if (reader.remaining() !== 0) throw new RecordsError('INVALID_RECORD', `${reader.remaining()} bytes left after ${header.recordsCount} records`);
  return header;
}

/**
 * Calls `visit` with each record of the batch at buf[0..], after validating it; `crcChecked`: the
 * caller has checked this batch's CRC already.
 */
export function visitRecords(buf: Buffer, visit: (record: FilteredRecord) => void, crcChecked = false): void {
  walkRecords(buf, crcChecked, visit);
}

/**
 * The batch at buf[0..] with only the records `keep` accepts: `buf` itself when it keeps them all,
 * else a new batch with the same base offset, last offset delta, leader epoch, producer fields and
 * timestamps, whose records are byte for byte the kept ones (their offset and timestamp deltas
 * unchanged), recompressed with the batch's codec, and a new CRC. Keeping the batch's offset range
 * keeps a replicated log's entries where they were; a batch keeping no record is a header alone.
 * `crcChecked`: the caller has checked this batch's CRC already.
 */
export function filterBatch(buf: Buffer, keep: (record: FilteredRecord) => boolean, crcChecked = false): Buffer {
  const kept: Buffer[] = [];
  const header = walkRecords(buf, crcChecked, (record, stored) => {
    if (keep(record)) kept.push(stored);
  });
  if (kept.length === header.recordsCount) return buf;
  const records = Buffer.concat(kept);
  const compression = compressionOf(header.attributes);
  // An empty records section is written uncompressed: a codec's framing of nothing is not nothing.
  const stored = kept.length === 0 || compression === CompressionType.None ? records : codecFor(compression).compress(records);
  const attributes = kept.length === 0 ? header.attributes & ~COMPRESSION_MASK : header.attributes;
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + stored.length);
  stored.copy(out, BATCH_HEADER_SIZE);
  writeBatchHeader(out, 0, out.length, { ...header, attributes, recordsCount: kept.length });
  return out;
}

/** Whether two batches, `earlier` ending where `later` starts, may become one record-less batch: same term and flags, no producer. */
export function canJoinEmpty(earlier: BatchHeader, later: BatchHeader): boolean {
  return (
    earlier.recordsCount === 0 &&
    later.recordsCount === 0 &&
    earlier.producerId === NO_PRODUCER_ID &&
    later.producerId === NO_PRODUCER_ID &&
    earlier.partitionLeaderEpoch === later.partitionLeaderEpoch &&
    earlier.attributes === later.attributes &&
    earlier.baseOffset + earlier.lastOffsetDelta + 1 === later.baseOffset
  );
}

/**
 * A record-less batch over offsets [baseOffset, lastOffset] with `like`'s term, attributes and
 * timestamps: two neighbours joined (see canJoinEmpty), or a part of one. Holding no record, a
 * record-less batch may be cut or joined at any offset and still say the same: nothing.
 */
export function emptyBatch(like: BatchHeader, baseOffset: number, lastOffset: number, maxTimestamp = like.maxTimestamp): Buffer {
  if (like.recordsCount !== 0) throw new RecordsError('INVALID_ARGUMENT', `batch at ${like.baseOffset} holds ${like.recordsCount} records`);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  writeBatchHeader(out, 0, out.length, { ...like, baseOffset, lastOffsetDelta: lastOffset - baseOffset, maxTimestamp, recordsCount: 0 });
  return out;
}
