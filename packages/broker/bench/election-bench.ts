/**
 * `npm run bench:election`: what a new leader spends on idempotent-producer state, on a large
 * partition. Builds the partition once under $BENCH_DIR, tracking producer state as a replica
 * does (kept for later runs: building it is the slow part), then prints one JSON object per
 * line: the partition's shape, and the median of $BENCH_RUNS runs of each step. The reference
 * (beforeOverThis), measured in the same run, is what a new leader used to do: fold every batch
 * header of the log, reading each with its own readSync.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BASE_SEQUENCE_POS,
  BATCH_HEADER_SIZE,
  CRC_POS,
  LOG_OVERHEAD,
  PRODUCER_ID_POS,
  crc32c,
  encodeBatch,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '@gregor/records';
import { PartitionLog } from '@gregor/storage';
import { mulberry32 } from '@gregor/testkit';
// Not part of the broker's public surface: the bench measures this class itself, built.
import { ProducerStates } from '@gregor/broker/dist/replication/producer-state';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TOTAL_BYTES = Number(process.env.BENCH_TOTAL_GB ?? 5) * GiB;
const BATCH_BYTES = Number(process.env.BENCH_BATCH_BYTES ?? 1024);
const RECORDS_PER_BATCH = 10;
const PRODUCERS = Number(process.env.BENCH_PRODUCERS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DIR = path.join(process.env.BENCH_DIR ?? os.tmpdir(), `gregor-election-${TOTAL_BYTES / GiB}g-${BATCH_BYTES}b`);
/** The CRC covers the attributes field to the end; the fields the build patches lie inside it. */
const CRC_START = CRC_POS + 4;

function template(): Buffer {
  const value = Buffer.alloc(Math.floor((BATCH_BYTES - 61) / RECORDS_PER_BATCH) - 8, 'x');
  const records = Array.from({ length: RECORDS_PER_BATCH }, () => ({ key: null, value }));
  return encodeBatch(records, { producerId: 0, producerEpoch: 0, baseSequence: 0 });
}

const FLUSH = { flush: { kind: 'interval', intervalMs: 60_000, intervalBytes: 256 * MiB } } as const;
const APPEND_BYTES = 256 * MiB;

/** MiB chunks of idempotent batches from PRODUCERS producers in a seeded random order, offsets running on from 0. */
function* chunks(): Generator<Buffer> {
  const batch = template();
  const perChunk = Math.floor(MiB / batch.length);
  const sequences = new Array<number>(PRODUCERS).fill(0);
  const random = mulberry32(11);
  let offset = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(perChunk * batch.length);
    for (let at = 0; at < chunk.length; at += batch.length) {
      batch.copy(chunk, at);
      const producer = Math.floor(random() * PRODUCERS);
      chunk.writeBigInt64BE(BigInt(producer + 1000), at + PRODUCER_ID_POS);
      chunk.writeInt32BE(sequences[producer], at + BASE_SEQUENCE_POS);
      sequences[producer] += RECORDS_PER_BATCH;
      chunk.writeUInt32BE(crc32c(chunk.subarray(at + CRC_START, at + batch.length)), at + CRC_POS);
      setBaseOffset(chunk, at, offset);
      setPartitionLeaderEpoch(chunk, at, 1);
      offset += RECORDS_PER_BATCH;
    }
    yield chunk;
  }
}

/** Builds the partition as a replica would: its log tracking producer state. */
async function build(): Promise<void> {
  const log = await PartitionLog.open(DIR, FLUSH);
  log.track(new ProducerStates());
  for (const chunk of chunks()) {
    if (log.sizeInBytes + chunk.length > TOTAL_BYTES) break;
    await log.appendAsFollower(chunk, true);
  }
  await log.close();
}

/**
 * Milliseconds, of the clock and of this process's CPU, to append APPEND_BYTES of `prepared` chunks
 * (offsets stamped again) to a fresh log. CPU time is the steadier figure on a shared machine.
 */
async function appendMs(prepared: readonly Buffer[], tracked: boolean): Promise<{ wall: number; cpu: number }> {
  const dir = fs.mkdtempSync(path.join(path.dirname(DIR), 'gregor-election-append-'));
  const log = await PartitionLog.open(dir, FLUSH);
  if (tracked) log.track(new ProducerStates());
  const batchBytes = template().length;
  let offset = 0;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let appended = 0; appended < APPEND_BYTES; ) {
    for (const chunk of prepared) {
      for (let at = 0; at < chunk.length; at += batchBytes, offset += RECORDS_PER_BATCH) setBaseOffset(chunk, at, offset);
      await log.appendAsFollower(chunk, true);
      appended += chunk.length;
    }
  }
  const elapsed = { wall: millis(start), cpu: cpuMillis(process.cpuUsage(cpu)) };
  await log.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

/** What election did before 93a2b37: one 61-byte readSync per batch header, over every segment. */
function perHeaderReadSyncScan(states: ProducerStates): void {
  const scratch = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  for (const name of fs.readdirSync(DIR).filter((file) => file.endsWith('.log')).sort()) {
    const fd = fs.openSync(path.join(DIR, name), 'r');
    const size = fs.fstatSync(fd).size;
    for (let position = 0; position + BATCH_HEADER_SIZE <= size; ) {
      fs.readSync(fd, scratch, 0, BATCH_HEADER_SIZE, position);
      const header = readBatchHeader(scratch, 0);
      states.apply(header);
      position += LOG_OVERHEAD + header.batchLength;
    }
    fs.closeSync(fd);
  }
}

function millis(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function cpuMillis(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  if (!fs.existsSync(DIR)) {
    const start = process.hrtime.bigint();
    await build();
    console.log(JSON.stringify({ built: DIR, seconds: millis(start) / 1000 }));
  }
  const steps: Record<string, number[]> = {
    perHeaderScan: [],
    fullScan: [],
    open: [],
    track: [],
    election: [],
    openAfterCrash: [],
    trackAfterCrash: [],
    appendUntracked: [],
    appendTracked: [],
    appendUntrackedCpu: [],
    appendTrackedCpu: [],
  };
  const prepared: Buffer[] = [];
  for (const chunk of chunks()) if (prepared.push(chunk) === 64) break;
  const appendCost: number[] = [];
  const appendCpuCost: number[] = [];
  let shape: Record<string, number> = {};
  for (let run = 0; run < RUNS; run++) {
    let start = process.hrtime.bigint();
    const log = await PartitionLog.open(DIR);
    steps.open.push(millis(start));

    const before = new ProducerStates();
    start = process.hrtime.bigint();
    perHeaderReadSyncScan(before);
    steps.perHeaderScan.push(millis(start));

    const scanned = new ProducerStates();
    start = process.hrtime.bigint();
    for (const header of log.batchHeaders()) scanned.apply(header);
    steps.fullScan.push(millis(start));

    const logged = new ProducerStates();
    start = process.hrtime.bigint();
    log.track(logged);
    steps.track.push(millis(start));

    const leader = new ProducerStates();
    start = process.hrtime.bigint();
    leader.restore(logged.snapshot());
    steps.election.push(millis(start));

    if (!leader.snapshot().equals(scanned.snapshot()) || !before.snapshot().equals(scanned.snapshot())) throw new Error('the tracked state differs from a full scan');
    shape = { bytes: log.sizeInBytes, segments: log.segmentCount, batches: log.logEndOffset / RECORDS_PER_BATCH, offsets: log.logEndOffset, producers: PRODUCERS };
    await log.close();

    // What a crash leaves: no marker, so no end snapshot; recovery checks the active segment.
    fs.rmSync(path.join(DIR, '.clean-shutdown'));
    start = process.hrtime.bigint();
    const crashed = await PartitionLog.open(DIR);
    steps.openAfterCrash.push(millis(start));
    const rebuilt = new ProducerStates();
    start = process.hrtime.bigint();
    crashed.track(rebuilt);
    steps.trackAfterCrash.push(millis(start));
    if (!rebuilt.snapshot().equals(scanned.snapshot())) throw new Error('the state rebuilt after a crash differs from a full scan');
    await crashed.close();

    // Alternating which goes first, so neither always finds the page cache as the other left it.
    const untrackedFirst = run % 2 === 0 ? await appendMs(prepared, false) : undefined;
    const tracked = await appendMs(prepared, true);
    const untracked = untrackedFirst ?? (await appendMs(prepared, false));
    steps.appendUntracked.push(untracked.wall);
    steps.appendTracked.push(tracked.wall);
    steps.appendUntrackedCpu.push(untracked.cpu);
    steps.appendTrackedCpu.push(tracked.cpu);
    appendCost.push(tracked.wall / untracked.wall);
    appendCpuCost.push(tracked.cpu / untracked.cpu);
  }
  const reference = median(steps.perHeaderScan);
  console.log(JSON.stringify({ partition: shape }));
  const describe: Record<string, string> = {
    perHeaderScan: 'fold every batch header of the log, a readSync each (what election did)',
    fullScan: 'fold every batch header of the log through PartitionLog.batchHeaders (64 KiB reads)',
    open: 'open the log, closed cleanly',
    track: 'track producer state on it: restore the snapshot its clean close wrote at the log end',
    openAfterCrash: 'open the log after a crash: recovery checks the active segment',
    trackAfterCrash: 'track producer state on it: restore the active segment base snapshot and fold that segment (as after a truncation)',
    election: 'copy the tracked state into the leader (what election does now)',
    appendUntracked: `append ${APPEND_BYTES / MiB} MiB of the same batches to a log that tracks nothing`,
    appendTracked: `append ${APPEND_BYTES / MiB} MiB of the same batches to a log tracking producer state`,
    appendUntrackedCpu: 'CPU time of appendUntracked',
    appendTrackedCpu: 'CPU time of appendTracked',
  };
  for (const [step, runs] of Object.entries(steps)) {
    console.log(JSON.stringify({ step, what: describe[step], medianMs: median(runs), runsMs: runs, beforeOverThis: reference / median(runs) }));
  }
  console.log(JSON.stringify({ appendTrackedOverUntracked: median(appendCost), runs: appendCost }));
  console.log(JSON.stringify({ appendTrackedOverUntrackedCpu: median(appendCpuCost), runs: appendCpuCost }));
}

void main();
