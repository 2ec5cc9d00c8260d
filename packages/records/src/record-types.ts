export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record to encode. A missing timestamp takes the batch's base timestamp. */
export interface Record {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

/** A decoded record. key, value and header values are views into the batch bytes (or its decompressed copy). */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}
