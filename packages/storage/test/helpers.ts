import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeBatch, encodeBatch, iterateBatches } from '@gregor/records';
import { Clock, LogConfig, PartitionLog } from '@gregor/storage';

export function tempDir(prefix = 'gregor-storage-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A batch of `count` records whose values are `tag` and the record's index, padded to `valueBytes`. */
export function makeBatch(count: number, options: { tag?: string; valueBytes?: number; timestamp?: number } = {}): Buffer {
  const { tag = 'r', valueBytes = 16, timestamp = 1_700_000_000_000 } = options;
  const records = Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`${tag}-${i}`.padEnd(valueBytes, '.')),
    timestamp: timestamp + i,
  }));
  return encodeBatch(records, { baseTimestamp: timestamp });
}

export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
}

export async function openLog(dir: string, config: Partial<LogConfig> = {}, clock?: Clock): Promise<PartitionLog> {
  return PartitionLog.open(dir, config, clock);
}

/** Every record value in the log, in offset order, read through the public read path. */
export async function readAllValues(log: PartitionLog, maxBytes = 64 * 1024): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { bytes, nextOffset } = await log.read(offset, maxBytes);
    for (const { position } of iterateBatches(bytes)) {
      for (const record of decodeBatch(bytes, position).records) {
        if (record.offset >= offset) out.push({ offset: record.offset, value: record.value?.toString() ?? '' });
      }
    }
    offset = nextOffset;
  }
  return out;
}

export function segmentFiles(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith(suffix)).sort();
}

/** Bytes of disk the file holds, blocks reserved past its end included. */
export function allocatedBytes(file: string): number {
  return fs.statSync(file).blocks * 512;
}
