/**
 * `npm run bench:storage`: one JSON object per line. Every figure is the median of several runs,
 * and each run's storage figures are compared with a raw sequential write of the same bytes
 * (plain writes and one fdatasync) made in the same run, so ratios hold on a noisy machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeBatch } from '@gregor/records';
import { CleanerThread, LogConfig, PartitionLog } from '@gregor/storage';
import { mulberry32 } from '@gregor/testkit';

const MiB = 1024 * 1024;
const RECORD_BYTES = 1024;
const TOTAL_BYTES = Number(process.env.BENCH_TOTAL_MB ?? 512) * MiB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const OPEN_LOG_BYTES = Number(process.env.BENCH_OPEN_GB ?? 2) * 1024 * MiB;
const CLEAN_BYTES = Number(process.env.BENCH_CLEAN_MB ?? 256) * MiB;
/** Appends timed for produce latency, idle and while the cleaner runs. */
const LATENCY_APPENDS = 400;
const cleanerThread = new CleanerThread();
const ROOT = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'gregor-bench-'));

function batchOf(batchBytes: number): Buffer {
  const value = Buffer.alloc(RECORD_BYTES - 20, 'x');
  const count = Math.max(1, Math.floor(batchBytes / RECORD_BYTES));
  return encodeBatch(Array.from({ length: count }, () => ({ key: null, value })));
}

function freshDir(name: string): string {
  const dir = path.join(ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function diskSeqWrite(): number {
  const file = path.join(freshDir('disk'), 'seqwrite');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const chunk = Buffer.alloc(MiB, 'x');
  const fd = fs.openSync(file, 'w');
  const start = process.hrtime.bigint();
  for (let written = 0; written < TOTAL_BYTES; written += chunk.length) fs.writeSync(fd, chunk);
  fs.fdatasyncSync(fd);
  const elapsed = seconds(start);
  fs.closeSync(fd);
  fs.rmSync(file);
  return TOTAL_BYTES / elapsed;
}

/** Appends TOTAL_BYTES from `appenders` concurrent writers, then flushes; bytes per second. */
async function appendRun(batchBytes: number, config: Partial<LogConfig>, appenders: number): Promise<{ bytesPerSec: number; log: PartitionLog }> {
  const log = await PartitionLog.open(freshDir('append'), config);
  const batches = Array.from({ length: appenders }, () => batchOf(batchBytes));
  const perAppender = Math.ceil(TOTAL_BYTES / batches[0].length / appenders);
  const start = process.hrtime.bigint();
  await Promise.all(
    batches.map(async (batch) => {
      for (let i = 0; i < perAppender; i++) await log.append(batch);
    }),
  );
  await log.flush();
  return { bytesPerSec: (perAppender * appenders * batches[0].length) / seconds(start), log };
}

async function readWholeLog(log: PartitionLog): Promise<number> {
  let offset = log.logStartOffset;
  let bytes = 0;
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, MiB);
    bytes += result.bytes.length;
    offset = result.nextOffset;
  }
  return bytes;
}

/** Bytes per second reading the whole log from offset 0; the untimed first pass warms the page cache and JIT. */
async function sequentialRead(log: PartitionLog): Promise<number> {
  await readWholeLog(log);
  const start = process.hrtime.bigint();
  const bytes = await readWholeLog(log);
  return bytes / seconds(start);
}

function randomLookups(log: PartitionLog, seed: number): number {
  const random = mulberry32(seed);
  const span = log.logEndOffset - log.logStartOffset;
  const count = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    if (log.termAt(log.logStartOffset + Math.floor(random() * span)) === null) throw new Error('lookup missed');
  }
  return count / seconds(start);
}

async function openCleanLog(): Promise<{ seconds: number; bytes: number; segments: number }> {
  const dir = freshDir('open');
  const writer = await PartitionLog.open(dir, { flush: { kind: 'interval', intervalMs: 1000, intervalBytes: 256 * MiB } });
  const batch = batchOf(MiB);
  while (writer.sizeInBytes < OPEN_LOG_BYTES) await writer.append(batch);
  await writer.close();
  const start = process.hrtime.bigint();
  const log = await PartitionLog.open(dir);
  const elapsed = seconds(start);
  if (!log.openReport.cleanShutdown || log.openReport.recoveredSegments !== 0) throw new Error('expected a clean open');
  const result = { seconds: elapsed, bytes: log.sizeInBytes, segments: log.segmentCount };
  await log.close();
  return result;
}

/**
 * A compacted log of CLEAN_BYTES of 1 KiB keyed records in 16-record batches, where a share
 * `duplicates` of the records repeat an earlier record's key (the rest are new keys), and one
 * more batch so every segment written is sealed.
 */
async function compactedLog(duplicates: number, seed: number): Promise<PartitionLog> {
  const log = await PartitionLog.open(freshDir(`clean-${duplicates}`), {
    cleanupPolicy: 'compact',
    minCleanableDirtyRatio: 0,
    segmentBytes: 64 * MiB,
    flush: { kind: 'interval', intervalMs: 1000, intervalBytes: 256 * MiB },
  });
  const random = mulberry32(seed);
  const value = Buffer.alloc(RECORD_BYTES - 40, 'v');
  let keys = 0;
  while (log.sizeInBytes < CLEAN_BYTES) {
    const records = Array.from({ length: 16 }, () => {
      const key = keys > 0 && random() < duplicates ? Math.floor(random() * keys) : keys++;
      return { key: Buffer.from(`key-${key}`), value };
    });
    await log.append(encodeBatch(records));
  }
  await log.append(encodeBatch([{ key: Buffer.from('last'), value }], { baseTimestamp: Date.now() }));
  await log.flush();
  return log;
}

/** One cleaner pass over the log: the sealed bytes it took in per second. */
async function cleanRun(log: PartitionLog): Promise<{ bytesPerSec: number; removed: number }> {
  const sealedBytes = log.sizeInBytes;
  const start = process.hrtime.bigint();
  const report = await log.clean({ below: log.logEndOffset, dedupeBufferBytes: 128 * MiB, thread: cleanerThread, ioBytesPerSecond: 0 });
  if (!report) throw new Error('the cleaner found nothing to clean');
  return { bytesPerSec: sealedBytes / seconds(start), removed: report.recordsRemoved };
}

/** p99 of LATENCY_APPENDS appends of 16 KiB batches to a log that fsyncs each, in milliseconds. */
async function appendP99(log: PartitionLog): Promise<number> {
  const batch = batchOf(16 * 1024);
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_APPENDS; i++) {
    const start = process.hrtime.bigint();
    await log.append(batch);
    latencies.push(seconds(start) * 1000);
  }
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length * 0.99)];
}

/** The cleaner against the raw disk write rate, at 10% and 90% duplicate keys, and an fsyncing producer's p99 beside it. */
async function cleanerCases(): Promise<void> {
  for (const duplicates of [0.1, 0.9]) {
    const rates: number[] = [];
    const ratios: number[] = [];
    const idle: number[] = [];
    const busy: number[] = [];
    let removed = 0;
    for (let run = 0; run < RUNS; run++) {
      const reference = diskSeqWrite();
      const log = await compactedLog(duplicates, run + 1);
      const producer = await PartitionLog.open(freshDir('producer'), { flush: { kind: 'always' } });
      idle.push(await appendP99(producer));
      const cleaning = cleanRun(log);
      busy.push(await appendP99(producer));
      const cleaned = await cleaning;
      rates.push(cleaned.bytesPerSec);
      ratios.push(cleaned.bytesPerSec / reference);
      removed = cleaned.removed;
      await producer.close();
      await log.close();
    }
    emit({
      bench: 'storage.clean',
      duplicateKeys: duplicates,
      MBps: round(median(rates) / 1e6),
      ratioToDisk: round(median(ratios)),
      recordsRemoved: removed,
      produceP99IdleMs: round(median(idle)),
      produceP99CleaningMs: round(median(busy)),
      produceP99Ratio: round(median(busy) / median(idle)),
      runs: RUNS,
    });
  }
}

function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

async function main(): Promise<void> {
  const interval: Partial<LogConfig> = { flush: { kind: 'interval', intervalMs: 1000, intervalBytes: 64 * MiB } };
  const always: Partial<LogConfig> = { flush: { kind: 'always' } };
  const cases = [
    { name: 'storage.append', batchBytes: 16 * 1024, flush: 'interval', config: interval, appenders: 1 },
    { name: 'storage.append', batchBytes: MiB, flush: 'interval', config: interval, appenders: 1 },
    { name: 'storage.append', batchBytes: 16 * 1024, flush: 'always', config: always, appenders: 8 },
    { name: 'storage.append', batchBytes: MiB, flush: 'always', config: always, appenders: 8 },
  ];
  const disk: number[] = [];
  const results = cases.map(() => ({ rate: [] as number[], ratio: [] as number[] }));
  const reads: number[] = [];
  const lookups: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const reference = diskSeqWrite();
    disk.push(reference);
    for (const [i, c] of cases.entries()) {
      const { bytesPerSec, log } = await appendRun(c.batchBytes, c.config, c.appenders);
      results[i].rate.push(bytesPerSec);
      results[i].ratio.push(bytesPerSec / reference);
      if (i === 1) {
        reads.push(await sequentialRead(log));
        lookups.push(randomLookups(log, run + 1));
      }
      await log.close();
    }
  }
  emit({ bench: 'disk.seqwrite', MBps: round(median(disk) / 1e6), totalMB: TOTAL_BYTES / MiB, runs: RUNS });
  for (const [i, c] of cases.entries()) {
    const rate = median(results[i].rate);
    emit({
      bench: c.name,
      flush: c.flush,
      batchBytes: c.batchBytes,
      appenders: c.appenders,
      MBps: round(rate / 1e6),
      recordsPerSec: Math.round(rate / RECORD_BYTES),
      ratioToDisk: round(median(results[i].ratio)),
      runs: RUNS,
    });
  }
  const readRate = median(reads);
  emit({ bench: 'storage.read', readBytes: MiB, MBps: round(readRate / 1e6), recordsPerSec: Math.round(readRate / RECORD_BYTES), runs: RUNS });
  emit({ bench: 'storage.lookup', lookupsPerSec: Math.round(median(lookups)), runs: RUNS });
  await cleanerCases();
  const open = await openCleanLog();
  emit({ bench: 'storage.open', logGB: round(open.bytes / 1024 / MiB), segments: open.segments, seconds: round(open.seconds) });
  await cleanerThread.close();
  fs.rmSync(ROOT, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((err: unknown) => {
  fs.rmSync(ROOT, { recursive: true, force: true });
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
