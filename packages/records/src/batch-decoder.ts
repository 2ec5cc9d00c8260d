import { compressionOf, CompressionType, isControlBatch, isTransactionalBatch, timestampTypeOf, TimestampType } from './attributes';
import { validateBatch, type BatchHeader } from './batch-header';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD } from './batch-layout';
import { codecFor } from './compression';
import { decompressedTooLarge, RecordsError } from './errors';
import { readRecord } from './record-codec';
import type { DecodedRecord } from './record-types';
import { ByteReader } from './varint';

export interface DecodedBatch {
  header: BatchHeader;
  compression: CompressionType;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
  records: DecodedRecord[];
}

function isOutputLimitError(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/** A reader over the batch's records section, decompressed (at most `maxDecompressedBytes`) if need be. */
export function recordsReader(
  buf: Buffer,
  pos: number,
  header: BatchHeader,
  compression: CompressionType,
  maxDecompressedBytes: number,
): ByteReader {
  const start = pos + BATCH_HEADER_SIZE;
  const end = pos + LOG_OVERHEAD + header.batchLength;
  if (compression === CompressionType.None) return new ByteReader(buf, start, end);
  let section: Buffer;
  try {
    section = codecFor(compression).decompress(buf.subarray(start, end), maxDecompressedBytes);
  } catch (err) {
    if (err instanceof RecordsError) throw err;
    if (isOutputLimitError(err)) throw decompressedTooLarge(maxDecompressedBytes);
    throw new RecordsError('INVALID_RECORD', `records do not decompress: ${(err as Error).message}`);
  }
  if (section.length > maxDecompressedBytes) throw decompressedTooLarge(maxDecompressedBytes);
  return new ByteReader(section, 0, section.length);
}

/**
 * Validates the batch (CRC included) and decodes its records. Uncompressed keys and values are views into `buf`,
 * so copy them before reusing the buffer. With LogAppendTime every record carries the batch's maxTimestamp, as in
 * Kafka. The records must fill the batch exactly: a missing or trailing byte is INVALID_RECORD. A compressed
 * records section that would inflate beyond `maxDecompressedBytes` is BATCH_TOO_LARGE.
 */
export function decodeBatch(buf: Buffer, pos = 0, maxDecompressedBytes = Infinity): DecodedBatch {
  const header = validateBatch(buf, pos);
  const attributes = header.attributes;
  const compression = compressionOf(attributes);
  const timestampType = timestampTypeOf(attributes);
  const reader = recordsReader(buf, pos, header, compression, maxDecompressedBytes);
  const logAppendTime = timestampType === TimestampType.LogAppendTime;
  const records: DecodedRecord[] = [];
  for (let i = 0; i < header.recordsCount; i++) {
    const raw = readRecord(reader);
    records.push({
      offset: header.baseOffset + raw.offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + raw.timestampDelta,
      key: raw.key,
      value: raw.value,
      headers: raw.headers,
    });
  }
  if (reader.remaining() !== 0) {
    throw new RecordsError('INVALID_RECORD', `${reader.remaining()} bytes left after ${header.recordsCount} records`);
  }
  return {
    header,
    compression,
    timestampType,
    transactional: isTransactionalBatch(attributes),
    control: isControlBatch(attributes),
    records,
  };
}
