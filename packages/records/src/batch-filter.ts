import { compressionOf, COMPRESSION_MASK, CompressionType, timestampTypeOf, TimestampType } from './attributes';
import { recordsReader } from './batch-decoder';
import { type BatchHeader, validateBatch, writeBatchHeader } from './batch-header';
import { BATCH_HEADER_SIZE, NO_PRODUCER_ID } from './batch-layout';
import { codecFor } from './compression';
import { RecordsError } from './errors';
import { readRecord } from './record-codec';

/** What a filter sees of one record: enough to decide whether a later record replaced it. */
export interface FilteredRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  /** A null value: a tombstone, in a compacted topic. */
  valueIsNull: boolean;
}

/**
 * Validates the batch (CRC included unless `crcChecked`) and calls `visit` with each record and its
 * bytes as stored, in order.
 */
function walkRecords(buf: Buffer, maxDecompressedBytes: number, visit: (record: FilteredRecord, stored: Buffer) => void, crcChecked = false): BatchHeader {
  const header = validateBatch(buf, 0, Infinity, crcChecked);
  const reader = recordsReader(buf, 0, header, compressionOf(header.attributes), maxDecompressedBytes);
  const logAppendTime = timestampTypeOf(header.attributes) === TimestampType.LogAppendTime;
  for (let i = 0; i < header.recordsCount; i++) {
    const from = reader.pos;
    const raw = readRecord(reader);
    const record = {
      offset: header.baseOffset + raw.offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + raw.timestampDelta,
      key: raw.key,
      valueIsNull: raw.value === null,
    };
    visit(record, reader.buf.subarray(from, reader.pos));
  }
  if (reader.remaining() !== 0) throw new RecordsError('INVALID_RECORD', `${reader.remaining()} bytes left after ${header.recordsCount} records`);
  return header;
}

/**
 * Calls `visit` with each record of the batch at buf[0..], after validating it (its CRC too, unless
 * the caller checks that itself: `crcChecked`); a compressed batch inflating past
 * `maxDecompressedBytes` is BATCH_TOO_LARGE.
 */
export function visitRecords(buf: Buffer, visit: (record: FilteredRecord) => void, maxDecompressedBytes = Infinity, crcChecked = false): void {
  walkRecords(buf, maxDecompressedBytes, visit, crcChecked);
}

/**
 * The batch at buf[0..] with only the records `keep` accepts: `buf` itself when it keeps them all,
 * else a new batch with the same base offset, last offset delta, leader epoch, producer fields and
 * timestamps, whose records are byte for byte the kept ones (their offset and timestamp deltas
 * unchanged), recompressed with the batch's codec, and a new CRC. Keeping the batch's offset range
 * keeps a replicated log's entries where they were; a batch keeping no record is a header alone.
 */
export function filterBatch(buf: Buffer, keep: (record: FilteredRecord) => boolean): Buffer {
  const kept: Buffer[] = [];
  const header = walkRecords(buf, Infinity, (record, stored) => {
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
