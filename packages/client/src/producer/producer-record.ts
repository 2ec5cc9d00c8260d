import type { RecordHeader } from '@gregor/records';

export type Bytes = Buffer | string;

export interface ProducerRecord {
  key?: Bytes | null;
  /** null = a tombstone. */
  value: Bytes | null;
  headers?: Record<string, Bytes | null> | RecordHeader[];
  /** ms since epoch; default now. */
  timestamp?: number;
  /** Explicit partition; default by key (murmur2) or sticky for null keys. */
  partition?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export function toBuffer(b: Bytes | null | undefined): Buffer | null {
  if (b === null || b === undefined) return null;
  return typeof b === 'string' ? Buffer.from(b) : b;
}

const NO_HEADERS: RecordHeader[] = [];

export function toHeaders(headers: ProducerRecord['headers']): RecordHeader[] {
  if (!headers) return NO_HEADERS;
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers).map(([key, value]) => ({ key, value: toBuffer(value) }));
}
