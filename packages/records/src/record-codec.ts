import { RecordsError } from './errors';
import type { RecordHeader, Record } from './record-types';
import { utf8Length, writeUtf8 } from './utf8';
import { ByteReader, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

/**
 * One record inside a v2 batch:
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value |
 *   headerCount varint | per header: keyLength varint | key utf8 | valueLength varint (-1 = null) | value
 * `length` counts the bytes after itself.
 */

const NULL_LENGTH = -1;

function sizeOfNullableBytes(bytes: Uint8Array | null | undefined): number {
  return bytes == null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

function sizeOfHeaders(headers: RecordHeader[] | undefined): number {
  if (headers === undefined) return 1;
  let size = sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i];
    const keyLength = utf8Length(header.key);
    size +=  sizeOfVarint(keyLength) + keyLength + sizeOfNullableBytes(header.value);
  }
  return size;
}

/** Bytes of the record after its length prefix. */
export function recordBodySize(record: Record, timestampDelta: number, offsetDelta: number): number {
  return recordFieldsSize(record.key, record.value, record.headers, timestampDelta, offsetDelta);
}

/** recordBodySize for a record given as its fields, for encoders that keep no Record objects. */
export function recordFieldsSize(
  key: Uint8Array | null | undefined,
  value: Uint8Array | null | undefined,
  headers: RecordHeader[] | undefined,
  timestampDelta: number,
  offsetDelta: number,
): number {
  return 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfNullableBytes(key) + sizeOfNullableBytes(value) + sizeOfHeaders(headers);
}

/** Bytes of the whole record, length prefix included. */
export function recordSizeWithPrefix(bodySize: number): number {
  return sizeOfVarint(bodySize) + bodySize;
}

function writeNullableBytes(buf: Buffer, pos: number, bytes: Uint8Array | null | undefined): number {
  if (bytes == null) return writeVarint(buf, pos, NULL_LENGTH);
  pos = writeVarint(buf, pos, bytes.length);
  buf.set(bytes, pos);
  return pos + bytes.length;
}

/** Writes the record with its length prefix at `pos`; `bodySize` must come from recordBodySize. */
export function writeRecord(
  buf: Buffer,
  pos: number,
  record: Record,
  bodySize: number,
  timestampDelta: number,
  offsetDelta: number,
): number {
  return writeRecordFields(buf, pos, record.key, record.value, record.headers, bodySize, timestampDelta, offsetDelta);
}

/** writeRecord for a record given as its fields; `bodySize` must come from recordFieldsSize. */
export function writeRecordFields(
  buf: Buffer,
  pos: number,
  key: Uint8Array | null | undefined,
  value: Uint8Array | null | undefined,
  headers: RecordHeader[] | undefined,
  bodySize: number,
  timestampDelta: number,
  offsetDelta: number,
): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0;
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeNullableBytes(buf, pos, key);
  pos = writeNullableBytes(buf, pos, value);
  if (headers === undefined) return writeVarint(buf, pos, 0);
  pos = writeVarint(buf, pos, headers.length);
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i];
    const keyLength = utf8Length(header.key);
    pos = writeVarint(buf, pos, keyLength);
    pos = writeUtf8(buf, pos, header.key, keyLength);
    pos = writeNullableBytes(buf, pos, header.value);
  }
  return pos;
}

/** The fields of one record as stored; the batch decoder turns deltas into offsets and timestamps. */
export interface RawRecord {
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function readNullableBytes(reader: ByteReader): Buffer | null {
  const length = reader.readVarint();
  if (length < NULL_LENGTH) throw new RecordsError('INVALID_RECORD', `negative field length ${length}`);
  return length === NULL_LENGTH ? null : reader.readBytes(length);
}

/** Reads one record (length prefix included) and checks that its fields fill exactly the length it declares. */
export function readRecord(reader: ByteReader): RawRecord {
  const bodySize = reader.readVarint();
  if (bodySize < 0 || bodySize > reader.remaining()) {
    throw new RecordsError('INVALID_RECORD', `record length ${bodySize} does not fit in ${reader.remaining()} bytes`);
  }
  const end = reader.pos + bodySize;
  reader.readInt8();
  const timestampDelta = reader.readVarlong();
  const offsetDelta = reader.readVarint();
  const key = readNullableBytes(reader);
  const value = readNullableBytes(reader);
  const headerCount = reader.readVarint();
  if (headerCount < 0) throw new RecordsError('INVALID_RECORD', `negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = reader.readVarint();
    if (keyLength < 0) throw new RecordsError('INVALID_RECORD', `header key length ${keyLength}`);
    const headerKey = reader.readUtf8(keyLength);
    headers.push({ key: headerKey, value: readNullableBytes(reader) });
  }
  if (reader.pos !== end) {
    throw new RecordsError('INVALID_RECORD', `record declares ${bodySize} bytes but its fields use ${reader.pos - end + bodySize}`);
  }
  return { timestampDelta, offsetDelta, key, value, headers };
}
