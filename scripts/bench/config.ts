import { SystemName } from './systems';

/** Knobs of `npm run bench:e2e`, from BENCH_* environment variables. */
export interface BenchConfig {
  /** Records per produce run, then read back by the consume run. */
  records: number;
  recordBytes: number;
  runs: number;
  /** Length of each latency run at half the system's median produce rate, after its warm-up. */
  latencySeconds: number;
  /** Records sent at the same pace before latencies count, in seconds' worth. */
  warmUpSeconds: number;
  /** Unacknowledged records a full-speed producer keeps in flight. */
  window: number;
  systems: SystemName[];
  seed: number;
  workerTimeoutMs: number;
}

const SYSTEMS: readonly SystemName[] = ['gregor', 'jetstream', 'redis'];

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function systemList(raw: string | undefined): SystemName[] {
  if (raw === undefined || raw === '') return [...SYSTEMS];
  const names = raw.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!SYSTEMS.includes(name as SystemName)) throw new Error(`BENCH_SYSTEMS: unknown system ${JSON.stringify(name)}; known: ${SYSTEMS.join(', ')}`);
  }
  return names as SystemName[];
}

export function benchConfig(): BenchConfig {
  return {
    records: positiveInt('BENCH_RECORDS', 100_000),
    recordBytes: 1024,
    runs: positiveInt('BENCH_RUNS', 3),
    latencySeconds: positiveInt('BENCH_LATENCY_SECONDS', 3),
    warmUpSeconds: positiveInt('BENCH_WARMUP_SECONDS', 1),
    window: positiveInt('BENCH_WINDOW', 4096),
    systems: systemList(process.env.BENCH_SYSTEMS),
    seed: positiveInt('BENCH_SEED', 1),
    workerTimeoutMs: positiveInt('BENCH_WORKER_TIMEOUT_MS', 180_000),
  };
}
