/**
 * `npm run bench:e2e`: Gregor end to end, as a single broker and as a
 * three-broker cluster with replication factor 3, next to NATS JetStream
 * and Redis Streams, each server in its own process and every producer and
 * consumer in a separate worker process, all on 127.0.0.1, 1 KiB records.
 * Per system: full-speed produce throughput, consume throughput reading that
 * stream from the start, and acknowledgement latency of a paced producer at
 * half the measured maximum rate. Gregor's Kafka listener is measured with
 * kafkajs as a system like the others, and with kcat (librdkafka) as whole
 * processes, each against the gRPC path of the same run. Runs of the systems are interleaved so
 * they share the machine's noise; each line is the median over BENCH_RUNS
 * runs. Last, on the cluster: how long produce stops when a partition's
 * leader is killed. Prints one JSON object per line on stdout, progress on
 * stderr.
 */
import * as os from 'os';
import { BenchConfig, benchConfig } from './config';
import { measureFailover } from './failover';
import { measureKcat } from './kcat';
import { emit, emitFailover, emitKafkaTargets, emitMeasurement, emitRatios, emitReplicatedTargets, KafkaSummaries, VariantSummaries } from './report';
import { ensureServersInstalled, serverVersion } from './servers/install';
import { processesCpuMs } from './servers/process-cpu';
import { killWorkers, runWorker } from './spawn-worker';
import { WorkerResult, WorkerTask } from './task';
import { SystemName } from './systems';
import { Cleanups, startVariants, Variant } from './variants';

const PEER_COMMANDS: Partial<Record<SystemName, string>> = { jetstream: 'nats-server', redis: 'redis-server' };
/** The flush setting the failover phase runs on when it is measured. */
const FAILOVER_FLUSH = 'always';

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function streamName(variant: Variant, phase: string, run: number): string {
  return `bench-${variant.system}-${variant.flush}-${phase}-${run}`;
}

/** Creates a fresh stream, runs the tasks on it in order (workers started with `nodeFlags`), and deletes it again. */
async function onFreshStream(
  variant: Variant,
  stream: string,
  tasks: Array<(stream: string) => WorkerTask>,
  config: BenchConfig,
  nodeFlags: string[] = [],
): Promise<WorkerResult[]> {
  await variant.admin.createStream(stream);
  try {
    const results: WorkerResult[] = [];
    for (const task of tasks) {
      const pids = variant.serverPids();
      const serverCpuBefore = processesCpuMs(pids);
      const result = await runWorker(task(stream), config.workerTimeoutMs, { nodeFlags });
      const serverCpuAfter = processesCpuMs(pids);
      if (serverCpuBefore !== null && serverCpuAfter !== null) result.serverCpuMs = serverCpuAfter - serverCpuBefore;
      results.push(result);
    }
    return results;
  } finally {
    await variant.admin.deleteStream(stream);
  }
}

async function measureThroughput(variants: Variant[], config: BenchConfig): Promise<Map<Variant, { produce: WorkerResult[]; consume: WorkerResult[] }>> {
  const results = new Map(variants.map((v) => [v, { produce: [] as WorkerResult[], consume: [] as WorkerResult[] }]));
  for (let run = 0; run < config.runs; run++) {
    for (const variant of variants) {
      progress(`run ${run + 1}/${config.runs}: ${variant.system} (${variant.flush}) produce and consume ${config.records} records`);
      const { target } = variant;
      const [produced, consumed] = await onFreshStream(
        variant,
        streamName(variant, 'throughput', run),
        [
          (stream) => ({ kind: 'produce', target, stream, records: config.records, recordBytes: config.recordBytes, window: config.window, seed: config.seed + run }),
          (stream) => ({ kind: 'consume', target, stream, records: config.records, recordBytes: config.recordBytes }),
        ],
        config,
      );
      results.get(variant)!.produce.push(produced);
      results.get(variant)!.consume.push(consumed);
    }
  }
  return results;
}

async function measureLatency(variants: Variant[], ratesPerSec: Map<Variant, number>, config: BenchConfig): Promise<Map<Variant, WorkerResult[]>> {
  const results = new Map(variants.map((v) => [v, [] as WorkerResult[]]));
  for (let run = 0; run < config.runs; run++) {
    for (const variant of variants) {
      const ratePerSec = ratesPerSec.get(variant)!;
      const records = Math.max(1, Math.round(ratePerSec * config.latencySeconds));
      const warmUpRecords = Math.round(ratePerSec * config.warmUpSeconds);
      progress(`run ${run + 1}/${config.runs}: ${variant.system} (${variant.flush}) latency at ${Math.round(ratePerSec)} records/s`);
      const { target } = variant;
      const [result] = await onFreshStream(
        variant,
        streamName(variant, 'latency', run),
        [(stream) => ({ kind: 'latency', target, stream, records, warmUpRecords, recordBytes: config.recordBytes, ratePerSec, seed: config.seed + run })],
        config,
        config.latencyWorkerNodeFlags,
      );
      results.get(variant)!.push(result);
    }
  }
  return results;
}

async function bench(config: BenchConfig, cleanups: Cleanups): Promise<void> {
  const peers = config.systems.flatMap((s) => PEER_COMMANDS[s] ?? []);
  ensureServersInstalled(peers);
  const variants = await startVariants(config, cleanups);
  emit({
    bench: 'e2e.env',
    node: process.version,
    cpus: os.cpus().length,
    loadavg1: Math.round(os.loadavg()[0] * 100) / 100,
    ...Object.fromEntries(peers.map((command) => [command, serverVersion(command)])),
    recordBytes: config.recordBytes,
    window: config.window,
    latencySeconds: config.latencySeconds,
    warmUpSeconds: config.warmUpSeconds,
    latencyWorkerNodeFlags: config.latencyWorkerNodeFlags.join(' '),
    ...(config.systems.includes('gregor-rf3') ? { failoverRuns: config.failoverRuns, failoverIntervalMs: config.failoverIntervalMs } : {}),
    seed: config.seed,
  });

  // Lines go out as each phase ends, so a run that fails later still reports what it measured.
  const throughput = await measureThroughput(variants, config);
  const measured = variants.map((variant) => {
    const { produce, consume } = throughput.get(variant)!;
    return {
      variant,
      produce: emitMeasurement('e2e.produce', variant, produce, config.recordBytes),
      consume: emitMeasurement('e2e.consume', variant, consume, config.recordBytes),
    };
  });
  const halfMaxRate = new Map(measured.map((m) => [m.variant, m.produce.msgPerSec / 2]));
  const latency = await measureLatency(variants, halfMaxRate, config);
  const summaries: VariantSummaries[] = measured.map((m) => {
    const paced = latency.get(m.variant)!;
    const maxMs = Math.round(Math.max(...paced.map((r) => r.maxMs!)) * 1000) / 1000;
    return { ...m, latency: emitMeasurement('e2e.latency', m.variant, paced, config.recordBytes, { maxMs }) };
  });
  emitRatios(summaries);

  // kcat runs whole processes, not workers: against the broker kafkajs used, each flush setting.
  const kafka: KafkaSummaries[] = summaries
    .filter((s) => s.variant.system === 'gregor-kafkajs')
    .map((s) => ({ system: s.variant.system, flush: s.variant.flush, produce: s.produce, consume: s.consume }));
  for (const variant of variants.filter((v) => v.system === 'gregor-kafkajs')) {
    const runs = await measureKcat(variant, config, progress);
    const kcat = { system: 'gregor-kcat', flush: variant.flush };
    kafka.push({ ...kcat, produce: emitMeasurement('e2e.produce', kcat, runs.produce, config.recordBytes), consume: emitMeasurement('e2e.consume', kcat, runs.consume, config.recordBytes) });
  }
  emitKafkaTargets(summaries, kafka);

  const replicated = variants.filter((v) => v.system === 'gregor-rf3');
  const failoverOn = replicated.find((v) => v.flush === FAILOVER_FLUSH) ?? replicated[0];
  let failover: { flush: string; unavailableMaxMs: number } | null = null;
  if (failoverOn) {
    const runs = await measureFailover(failoverOn, config, progress);
    const { unavailableMaxMs } = emitFailover(failoverOn, runs, { intervalMs: config.failoverIntervalMs, recordBytes: config.failoverRecordBytes });
    failover = { flush: failoverOn.flush, unavailableMaxMs };
  }
  emitReplicatedTargets(summaries, failover);
}

async function main(): Promise<void> {
  const config = benchConfig();
  const cleanups: Cleanups = [];
  let cleaning: Promise<void> | null = null;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      killWorkers();
      for (const undo of cleanups.reverse()) {
        await undo().catch((err: unknown) => progress(`cleanup failed: ${String(err)}`));
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  }
  try {
    await bench(config, cleanups);
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:e2e failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
