import { compressionOf, COMPRESSION_MASK, CompressionType, timestampTypeOf, TimestampType } from './attributes';
import { type BatchHeader, validateBatch, writeBatchHeader } from './batch-header';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD } from './batch-layout';
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

/** Validates the batch (CRC included) and calls `visit` with each record and its bytes as stored, in order. */
function walkRecords(buf: Buffer, maxDecompressedBytes: number, visit: (record: FilteredRecord, stored: Buffer) => void): BatchHeader {
  const header = validateBatch(buf, 0);
  const compression = compressionOf(header.attributes);
  const end = LOG_OVERHEAD + header.batchLength;
  const packed = buf.subarray(BATCH_HEADER_SIZE, end);
  const section = compression === CompressionType.None ? packed : codecFor(compression).decompress(packed, maxDecompressedBytes);
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

/** Calls `visit` with each record of the batch at buf[0..], after validating it (CRC included). */
export function visitRecords(buf: Buffer, visit: (record: FilteredRecord) => void, maxDecompressedBytes = Infinity): void {
  walkRecords(buf, maxDecompressedBytes, visit);
}

/**
 * The batch at buf[0..] with only the records `keep` accepts: `buf` itself when it keeps them all,
 * else a new batch with the same base offset, last offset delta, leader epoch, producer fields and
 * timestamps, whose records are byte for byte the kept ones (their offset and timestamp deltas
 * unchanged), recompressed with the batch's codec, and a new CRC. Keeping the batch's offset range
 * keeps a replicated log's entries where they were; a batch keeping no record is a header alone.
 */
export function filterBatch(buf: Buffer, keep: (record: FilteredRecord) => boolean, maxDecompressedBytes = Infinity): Buffer {
  const kept: Buffer[] = [];
  const header = walkRecords(buf, maxDecompressedBytes, (record, stored) => {
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
