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

/** The targets for Gregor on this machine. */
const TARGETS = { produceMBps: 150, produceVsJetstream: 5, consumeMBps: 300, consumeVsJetstream: 2, latencyP99Ms: 20 };

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

export function emitMeasurement(bench: string, variant: Variant, results: WorkerResult[], recordBytes: number, extra: Record<string, unknown> = {}): Summary {
  const summary = summarize(results, recordBytes);
  emit({ bench, system: variant.system, flush: variant.flush, ...summary, records: results[0].records, runs: results.length, ...extra });
  return summary;
}

export interface VariantSummaries {
  variant: Variant;
  produce: Summary;
  consume: Summary;
  latency: Summary;
}

/**
 * For each Gregor flush setting: Gregor over each peer (throughput: higher
 * is better; p99: lower is better), then the targets and whether
 * this run met them.
 */
export function emitRatios(all: VariantSummaries[]): void {
  const peers = all.filter((s) => s.variant.system !== 'gregor');
  for (const gregor of all.filter((s) => s.variant.system === 'gregor')) {
    const ratios: Record<string, unknown> = { bench: 'e2e.ratios', flush: gregor.variant.flush };
    for (const peer of peers) {
      ratios[`gregor/${peer.variant.system}`] = {
        produce: round(gregor.produce.msgPerSec / peer.produce.msgPerSec),
        consume: round(gregor.consume.msgPerSec / peer.consume.msgPerSec),
        p99Ms: round(gregor.latency.p99Ms! / peer.latency.p99Ms!),
      };
    }
    emit(ratios);

    const jetstream = peers.find((s) => s.variant.system === 'jetstream');
    const check = (value: number, target: number, atLeast: boolean): Record<string, unknown> => ({
      value: round(value),
      target,
      met: atLeast ? value >= target : value <= target,
    });
    const targets: Record<string, unknown> = {
      bench: 'e2e.targets',
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
