import type { FailoverRun } from './failover';
import { median } from './percentiles';
import { WorkerResult } from './task';
import { Variant } from './variants';

/** Medians over runs of one measurement of one variant. */
export interface Summary {
  msgPerSec: number;
  MBps: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU per MB of record values moved: by the producer or consumer process, and by the server. */
  clientCpuMsPerMB?: number;
  serverCpuMsPerMB?: number;
}

/** The issues' targets for Gregor on this machine: a single broker, and a three-broker cluster with replication factor 3. */
const TARGETS = { produceMBps: 150, produceVsJetstream: 5, consumeMBps: 300, consumeVsJetstream: 2, latencyP99Ms: 20 };
/** Throughput with metrics recorded and scraped, over the same broker's without. */
const METRICS_TARGETS = { produceVsPlain: 0.97, consumeVsPlain: 0.97 };
const RF3_TARGETS = { produceVsSingle: 0.5, latencyP99Ms: 30, failoverUnavailableMs: 3000 };
/** The Kafka listener's target: produce and consume within 20% of the gRPC path's, on the same broker setup. */
const KAFKA_TARGET = { vsGrpc: 0.8 };

export function emit(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function summarize(results: WorkerResult[], recordBytes: number): Summary {
  const msgPerSec = median(results.map((r) => r.records / r.seconds));
  const summary: Summary = { msgPerSec: Math.round(msgPerSec), MBps: round((msgPerSec * recordBytes) / 1e6, 1) };
  if (results.every((r) => r.p50Ms !== undefined && r.p99Ms !== undefined)) {
    summary.p50Ms = round(median(results.map((r) => r.p50Ms!)), 3);
    summary.p99Ms = round(median(results.map((r) => r.p99Ms!)), 3);
  }
  if (results.every((r) => r.clientCpuMs !== undefined)) {
    summary.clientCpuMsPerMB = round(median(results.map((r) => r.clientCpuMs! / (r.bytes / 1e6))));
  }
  // Latency runs also send untimed warm-up records, so server CPU per MB is given for throughput runs only.
  if (results.every((r) => r.clientCpuMs !== undefined && r.serverCpuMs !== undefined)) {
    summary.serverCpuMsPerMB = round(median(results.map((r) => r.serverCpuMs! / (r.bytes / 1e6))));
  }
  return summary;
}

export function emitMeasurement(
  bench: string,
  variant: Pick<Variant, 'flush'> & { system: string },
  results: WorkerResult[],
  recordBytes: number,
  extra: Record<string, unknown> = {},
): Summary {
  const summary = summarize(results, recordBytes);
  emit({ bench, system: variant.system, flush: variant.flush, ...summary, records: results[0].records, runs: results.length, ...extra });
  return summary;
}

/** A Kafka client's produce and consume throughput through the Kafka listener, per flush setting. */
export interface KafkaSummaries {
  system: string;
  flush: string;
  produce: Summary;
  consume: Summary;
}

/** Each Kafka client's throughput over the gRPC SDK's on a single broker with the same flush setting, against the target. */
export function emitKafkaTargets(all: VariantSummaries[], kafka: readonly KafkaSummaries[]): void {
  for (const k of kafka) {
    const grpc = all.find((s) => s.variant.system === 'gregor' && s.variant.flush === k.flush);
    if (!grpc) continue;
    emit({
      bench: 'e2e.targets',
      system: k.system,
      flush: k.flush,
      produceVsGrpc: check(k.produce.msgPerSec / grpc.produce.msgPerSec, KAFKA_TARGET.vsGrpc, true),
      consumeVsGrpc: check(k.consume.msgPerSec / grpc.consume.msgPerSec, KAFKA_TARGET.vsGrpc, true),
    });
  }
}

export interface VariantSummaries {
  variant: Variant;
  produce: Summary;
  consume: Summary;
  latency: Summary;
}

function ratiosOf(a: VariantSummaries, b: VariantSummaries): Record<string, number> {
  return {
    produce: round(a.produce.msgPerSec / b.produce.msgPerSec),
    consume: round(a.consume.msgPerSec / b.consume.msgPerSec),
    p99Ms: round(a.latency.p99Ms! / b.latency.p99Ms!),
  };
}

function check(value: number, target: number, atLeast: boolean): Record<string, unknown> {
  return { value: Number.isFinite(value) ? round(value) : null, target, met: atLeast ? value >= target : value <= target };
}

const isPeer = (s: VariantSummaries): boolean => s.variant.system === 'jetstream' || s.variant.system === 'redis';

/**
 * For each Gregor flush setting: the single broker over each peer and the
 * replicated cluster over the single broker (throughput: higher is better;
 * p99: lower is better), then the single broker's targets and whether this
 * run met them.
 */
export function emitRatios(all: VariantSummaries[]): void {
  const peers = all.filter(isPeer);
  for (const gregor of all.filter((s) => s.variant.system === 'gregor')) {
    const ratios: Record<string, unknown> = { bench: 'e2e.ratios', flush: gregor.variant.flush };
    for (const peer of peers) ratios[`gregor/${peer.variant.system}`] = ratiosOf(gregor, peer);
    const replicated = all.find((s) => s.variant.system === 'gregor-rf3' && s.variant.flush === gregor.variant.flush);
    if (replicated) ratios['gregor-rf3/gregor'] = ratiosOf(replicated, gregor);
    const metered = all.find((s) => s.variant.system === 'gregor-metrics' && s.variant.flush === gregor.variant.flush);
    if (metered) ratios['gregor-metrics/gregor'] = ratiosOf(metered, gregor);
    emit(ratios);
    if (metered) {
      emit({
        bench: 'e2e.targets',
        system: 'gregor-metrics',
        flush: gregor.variant.flush,
        produceVsPlain: check(metered.produce.msgPerSec / gregor.produce.msgPerSec, METRICS_TARGETS.produceVsPlain, true),
        consumeVsPlain: check(metered.consume.msgPerSec / gregor.consume.msgPerSec, METRICS_TARGETS.consumeVsPlain, true),
      });
    }

    const jetstream = peers.find((s) => s.variant.system === 'jetstream');
    const targets: Record<string, unknown> = {
      bench: 'e2e.targets',
      system: 'gregor',
      flush: gregor.variant.flush,
      produceMBps: check(gregor.produce.MBps, TARGETS.produceMBps, true),
      consumeMBps: check(gregor.consume.MBps, TARGETS.consumeMBps, true),
      latencyP99Ms: check(gregor.latency.p99Ms!, TARGETS.latencyP99Ms, false),
    };
    if (jetstream) {
      targets.produceVsJetstream = check(gregor.produce.msgPerSec / jetstream.produce.msgPerSec, TARGETS.produceVsJetstream, true);
      targets.consumeVsJetstream = check(gregor.consume.msgPerSec / jetstream.consume.msgPerSec, TARGETS.consumeVsJetstream, true);
    }
    emit(targets);
  }
}

/** Median and max over runs; a run that did not resume counts as endless (printed as null). */
export function emitFailover(variant: Variant, runs: FailoverRun[], fields: Record<string, unknown>): { unavailableMaxMs: number } {
  const unavailable = runs.map((r) => r.unavailableMs ?? Infinity);
  const gaps = runs.map((r) => r.maxAckGapMs);
  const finite = (value: number): number | null => (Number.isFinite(value) ? round(value, 1) : null);
  const unavailableMaxMs = Math.max(...unavailable);
  emit({
    bench: 'e2e.failover',
    system: variant.system,
    flush: variant.flush,
    unavailableMs: finite(median(unavailable)),
    unavailableMaxMs: finite(unavailableMaxMs),
    maxAckGapMs: finite(median(gaps)),
    maxAckGapMaxMs: finite(Math.max(...gaps)),
    runs: runs.length,
    resumed: unavailable.filter(Number.isFinite).length,
    killedController: runs.filter((r) => r.killedController).length,
    failedSends: runs.reduce((sum, r) => sum + r.failedSends, 0),
    ...fields,
  });
  return { unavailableMaxMs };
}

/**
 * The replicated cluster's targets per flush setting: produce throughput
 * against the single broker's, p99 at half its own maximum rate, and (for
 * the flush setting the failover phase ran on) the longest unavailability
 * after a leader kill.
 */
export function emitReplicatedTargets(all: VariantSummaries[], failover: { flush: string; unavailableMaxMs: number } | null): void {
  for (const replicated of all.filter((s) => s.variant.system === 'gregor-rf3')) {
    const single = all.find((s) => s.variant.system === 'gregor' && s.variant.flush === replicated.variant.flush);
    const targets: Record<string, unknown> = { bench: 'e2e.targets', system: 'gregor-rf3', flush: replicated.variant.flush };
    if (single) targets.produceVsSingle = check(replicated.produce.msgPerSec / single.produce.msgPerSec, RF3_TARGETS.produceVsSingle, true);
    targets.latencyP99Ms = check(replicated.latency.p99Ms!, RF3_TARGETS.latencyP99Ms, false);
    if (failover && failover.flush === replicated.variant.flush) {
      targets.failoverUnavailableMaxMs = check(failover.unavailableMaxMs, RF3_TARGETS.failoverUnavailableMs, false);
    }
    emit(targets);
  }
}
