import { GREGOR_FLUSH_NAMES } from './gregor-flush';
import { SystemName } from './systems';

/** Knobs of `npm run bench:e2e`, from BENCH_* environment variables. */
export interface BenchConfig {
  /**
   * Records per produce run, then read back by the consume run. 500k (500 MB) keeps a Gregor run
   * at a few seconds, so worker start-up and JIT warm-up do not decide the figure.
   */
  records: number;
  recordBytes: number;
  runs: number;
  /** Length of each latency run at half the system's median produce rate, after its warm-up. */
  latencySeconds: number;
  /** Records sent at the same pace before latencies count, in seconds' worth. */
  warmUpSeconds: number;
  /** Unacknowledged records a full-speed producer keeps in flight: 8 MiB of 1 KiB records, a quarter of a Kafka producer's default buffer.memory. */
  window: number;
  systems: SystemName[];
  /** Gregor flush settings measured, on the single broker and on the cluster alike. */
  gregorFlush: string[];
  /** Leader kills of the failover phase (gregor-rf3 only). */
  failoverRuns: number;
  /** A failover producer sends one record this often, ms. */
  failoverIntervalMs: number;
  failoverRecordBytes: number;
  seed: number;
  workerTimeoutMs: number;
  /**
   * Node flags of the latency workers, every system's alike. Default --single-threaded-gc: with
   * server and client sharing two cores, V8's parallel collector helper threads wait for CPU and
   * stretch young-generation pauses past 10 ms, which shows as the client's tail latency.
   */
  latencyWorkerNodeFlags: string[];
}

const SYSTEMS: readonly SystemName[] = ['gregor', 'gregor-metrics', 'gregor-rf3', 'gregor-kafkajs', 'jetstream', 'redis'];

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** A comma-separated subset of `known` from the environment variable `name`; all of them when unset. */
function subsetOf<T extends string>(name: string, known: readonly T[]): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return [...known];
  const names = raw.split(',').map((s) => s.trim());
  for (const value of names) {
    if (!known.includes(value as T)) throw new Error(`${name}: unknown value ${JSON.stringify(value)}; known: ${known.join(', ')}`);
  }
  return names as T[];
}

/** Space-separated node flags from the environment variable `name`; `fallback` when unset, none when empty. */
function nodeFlags(name: string, fallback: string[]): string[] {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  return raw.split(' ').filter((flag) => flag !== '');
}

export function benchConfig(): BenchConfig {
  return {
    records: positiveInt('BENCH_RECORDS', 500_000),
    recordBytes: 1024,
    runs: positiveInt('BENCH_RUNS', 3),
    latencySeconds: positiveInt('BENCH_LATENCY_SECONDS', 3),
    warmUpSeconds: positiveInt('BENCH_WARMUP_SECONDS', 1),
    window: positiveInt('BENCH_WINDOW', 8192),
    systems: subsetOf('BENCH_SYSTEMS', SYSTEMS),
    gregorFlush: subsetOf('BENCH_FLUSH', GREGOR_FLUSH_NAMES),
    failoverRuns: positiveInt('BENCH_FAILOVER_RUNS', 5),
    failoverIntervalMs: positiveInt('BENCH_FAILOVER_INTERVAL_MS', 2),
    failoverRecordBytes: 100,
    seed: positiveInt('BENCH_SEED', 1),
    workerTimeoutMs: positiveInt('BENCH_WORKER_TIMEOUT_MS', 180_000),
    latencyWorkerNodeFlags: nodeFlags('BENCH_LATENCY_NODE_FLAGS', ['--single-threaded-gc']),
  };
}
