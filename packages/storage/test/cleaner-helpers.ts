import { decodeBatch, encodeBatch, iterateBatches } from '@gregor/records';
import { CleanerThread, PartitionLog } from '@gregor/storage';

export interface KeyedRecord {
  key: string;
  /** null: a tombstone. */
  value: string | null;
}

export interface StoredRecord extends KeyedRecord {
  offset: number;
}

/** One cleaner thread for a test file's passes; the file closes it after its tests. */
export const cleanerThread = new CleanerThread();

export const CLEANER = { thread: cleanerThread, ioBytesPerSecond: 0 };

export function keyedBatch(records: readonly KeyedRecord[], timestamp: number): Buffer {
  return encodeBatch(
    records.map((r) => ({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), timestamp })),
    { baseTimestamp: timestamp },
  );
}

/** Every record and every batch's offset range, read through the public read path (which checks each CRC). */
export async function readLog(log: PartitionLog): Promise<{ records: StoredRecord[]; batches: Array<[number, number]> }> {
  const records: StoredRecord[] = [];
  const batches: Array<[number, number]> = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { bytes, nextOffset } = await log.read(offset, 256 * 1024);
    for (const { position, header } of iterateBatches(bytes)) {
      batches.push([header.baseOffset, header.baseOffset + header.lastOffsetDelta]);
      for (const record of decodeBatch(bytes, position).records) {
        records.push({ offset: record.offset, key: record.key!.toString(), value: record.value === null ? null : record.value.toString() });
      }
    }
    offset = nextOffset;
  }
  return { records, batches };
}

/** The table a log describes: each key's newest value, a tombstone removing it. */
export function finalValues(records: readonly KeyedRecord[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const r of records) {
    if (r.value === null) table.delete(r.key);
    else table.set(r.key, r.value);
  }
  return table;
}
