import { CompressionType } from './attributes';
import { BATCH_HEADER_SIZE } from './batch-layout';
import { BatchOptions, checkOptions, writeHeader } from './batch-encoder';
import { codecFor } from './compression';
import { RecordsError } from './errors';
import { recordFieldsSize, recordSizeWithPrefix, writeRecordFields } from './record-codec';
import type { RecordHeader } from './record-types';

/** A finished batch: bytes [start, end) of `frame`, with `start` bytes before it left to the caller. */
export interface BuiltBatch {
  frame: Buffer;
  start: number;
  end: number;
}

export type BuiltBatchOptions = Omit<BatchOptions, 'baseTimestamp' | 'compression'>;

/**
 * Builds one RecordBatch v2 by writing each record straight into a buffer the
 * caller owns, as a producer appends them, so no record object outlives its
 * append and the buffer can be reused once the batch is acknowledged. The
 * bytes before `start` are headroom for the caller's framing (a producer puts
 * its request header there, so the batch is never copied to be sent). The
 * first record's timestamp is the batch's base timestamp.
 */
export class BatchBuilder {
  private end: number;
  private count = 0;
  private baseTimestamp = 0;
  private maxTimestamp = -Infinity;

  constructor(
    readonly buffer: Buffer,
    readonly start: number,
    private readonly compression: CompressionType = CompressionType.None,
  ) {
    if (start < 0 || start + BATCH_HEADER_SIZE > buffer.length) {
      throw new RecordsError('INVALID_ARGUMENT', `a batch at ${start} does not fit in ${buffer.length} bytes`);
    }
    if (compression !== CompressionType.None) codecFor(compression);
    this.end = start + BATCH_HEADER_SIZE;
  }

  /** Bytes a record takes as the first of a batch, its length prefix included. */
  static firstRecordSize(key: Uint8Array | null, value: Uint8Array | null, headers: RecordHeader[] | undefined): number {
    return recordSizeWithPrefix(recordFieldsSize(key, value, headers, 0, 0));
  }

  get recordCount(): number {
    return this.count;
  }

  /** Bytes of the uncompressed batch so far, header included. */
  get sizeInBytes(): number {
    return this.end - this.start;
  }

  /** Bytes of the buffer still free for records. */
  get freeBytes(): number {
    return this.buffer.length - this.end;
  }

  /** Appends the record and returns the bytes it took, or 0 (writing nothing) when it does not fit in the buffer. */
  tryAppend(key: Uint8Array | null, value: Uint8Array | null, headers: RecordHeader[] | undefined, timestamp: number): number {
    if (!Number.isSafeInteger(timestamp)) throw new RecordsError('INVALID_ARGUMENT', `timestamp ${timestamp} is not an integer`);
    const base = this.count === 0 ? timestamp : this.baseTimestamp;
    const bodySize = recordFieldsSize(key, value, headers, timestamp - base, this.count);
    const size = recordSizeWithPrefix(bodySize);
    if (this.end + size > this.buffer.length) return 0;
    this.end = writeRecordFields(this.buffer, this.end, key, value, headers, bodySize, timestamp - base, this.count);
    this.baseTimestamp = base;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.count++;
    return size;
  }

  /** Writes the header (and compresses the records) with the ids and sequence known only when the batch is sent. */
  finish(options: BuiltBatchOptions = {}): BuiltBatch {
    if (this.count === 0) throw new RecordsError('INVALID_ARGUMENT', 'a batch needs at least one record');
    checkOptions(options);
    let frame = this.buffer;
    let end = this.end;
    if (this.compression !== CompressionType.None) {
      const compressed = codecFor(this.compression).compress(this.buffer.subarray(this.start + BATCH_HEADER_SIZE, this.end));
      frame = Buffer.allocUnsafe(this.start + BATCH_HEADER_SIZE + compressed.length);
      compressed.copy(frame, this.start + BATCH_HEADER_SIZE);
      end = frame.length;
    }
    writeHeader(frame, this.start, end, options, this.compression, this.count, this.baseTimestamp, this.maxTimestamp);
    return { frame, start: this.start, end };
  }
}
