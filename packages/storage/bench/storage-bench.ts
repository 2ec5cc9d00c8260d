/**
 * `npm run bench:storage`: one JSON object per line. Every figure is the median of several runs,
 * and each run's storage figures are compared with a raw sequential write of the same bytes
 * (plain writes and one fdatasync) made in the same run, so ratios hold on a noisy machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeBatch } from '@gregor/records';
import { LogConfig, PartitionLog } from '@gregor/storage';
import { mulberry32 } from '@gregor/testkit';

const MiB = 1024 * 1024;
const RECORD_BYTES = 1024;
const TOTAL_BYTES = Number(process.env.BENCH_TOTAL_MB ?? 512) * MiB;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const OPEN_LOG_BYTES = Number(process.env.BENCH_OPEN_GB ?? 2) * 1024 * MiB;
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
  const open = await openCleanLog();
  emit({ bench: 'storage.open', logGB: round(open.bytes / 1024 / MiB), segments: open.segments, seconds: round(open.seconds) });
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
