import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Admin, GregorError } from '@gregor/client';
import { ACK_BEFORE_REPLICATION_BROKER, LEARNERS_COUNT_TOWARD_COMMIT_BROKER, type BrokerProgram } from '../broker-program';
import { LocalCluster, startCluster } from '../cluster';
import { mulberry32 } from '../prng';
import { waitFor } from '../wait-for';
import { checkHistory } from './checker';
import { ClusterProbe, ClusterState, converged, highWatermarkVector } from './cluster-probe';
import { NETWORK_FAULTS, injectFault } from './fault-injector';
import { Mover, type MoverStep } from './mover';
import { CheckResult } from './history';
import { partitionDirs, readReplicaLogs } from './replica-reader';
import { FAULT_KINDS, FaultKind, PlannedFault, ScheduleOptions, choose, planFaults, targetsFor } from './schedule';
import { Workload, readAll } from './workload';

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  /** Brokers in the cluster (3 or 5 in practice). */
  brokers: number;
  partitions?: number;
  producers?: number;
  recordsPerSecond?: number;
  /** Fault kinds to draw from (default all). */
  kinds?: readonly FaultKind[];
  /** Fault timing (default: first after 2 s, each 1.5–4 s, 1–3 s apart). */
  timing?: Pick<ScheduleOptions, 'firstAtMs' | 'faultMs' | 'gapMs'>;
  /** Configs for the topic under test. */
  topicConfigs?: Record<string, string>;
  /** Extra environment for every broker. */
  env?: Record<string, string>;
  /** What every broker runs; e.g. ACK_BEFORE_REPLICATION_BROKER to see the checker catch its losses. */
  program?: BrokerProgram;
  /** Extra flags for every broker. */
  brokerConfig?: Record<string, string | number>;
  /** Where brokers keep data; default a temporary directory, removed after the run unless it failed. */
  dataRoot?: string;
  /** true: keep the temporary data directory; false: remove it even after a failure. */
  keepData?: boolean;
  convergeTimeoutMs?: number;
  /**
   * Reassignment as a fault: random partition moves (and cancellations), moves that cut their
   * leader off while new replicas learn, and brokers joining and being decommissioned.
   */
  moves?: boolean;
  /** With moves: how many brokers may join over the run (default 2; 0: partition moves only). */
  joins?: number;
  /** With moves: the kinds of step to draw from (default all). */
  moveSteps?: readonly MoverStep[];
  log?: (line: string) => void;
}

export interface ChaosResult extends CheckResult {
  seed: number;
  faults: number;
  /** `chaos: acked=A lost=L duplicated=D divergent=X reordered=R faults=F` */
  line: string;
  ok: boolean;
  dataRoot: string;
}

export const CHAOS_TOPIC = 'chaos';

/** The line a chaos run ends with. */
export function summaryLine(result: Pick<ChaosResult, 'acked' | 'lost' | 'duplicated' | 'divergent' | 'reordered' | 'faults'>): string {
  return `chaos: acked=${result.acked} lost=${result.lost} duplicated=${result.duplicated} divergent=${result.divergent} reordered=${result.reordered} faults=${result.faults}`;
}

/** The chaos CLI's flag that runs each deliberately broken broker. */
const PROGRAM_FLAGS: ReadonlyArray<[BrokerProgram, string]> = [
  [ACK_BEFORE_REPLICATION_BROKER, ' --ack-before-replication'],
  [LEARNERS_COUNT_TOWARD_COMMIT_BROKER, ' --learners-count-toward-commit'],
];

/** The command that replays a run: its seed and size, its fault kinds, its moves, and a broken broker if it ran one. */
export function replayCommand(options: Pick<ChaosOptions, 'seed' | 'durationMs' | 'brokers' | 'moves' | 'joins' | 'kinds' | 'partitions' | 'program'>): string {
  const joins = options.moves && options.joins !== undefined ? ` --joins ${options.joins}` : '';
  const kinds = options.kinds ? ` --faults ${options.kinds.join(',')}` : '';
  const partitions = options.partitions !== undefined ? ` --partitions ${options.partitions}` : '';
  const program = PROGRAM_FLAGS.find(([broken]) => broken === options.program)?.[1] ?? '';
  return `npm run chaos -- --duration ${Math.round(options.durationMs / 1000)} --seed ${options.seed} --brokers ${options.brokers}${partitions}${kinds}${options.moves ? ' --moves' : ''}${joins}${program}`;
}

const sleepUntil = (time: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));

/**
 * Starts a cluster of real broker processes behind fault proxies, runs
 * producers and a consumer while injecting the seeded fault schedule, heals
 * everything, waits for the replicas to converge, stops the brokers and
 * checks the history against what they left on disk.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const partitions = options.partitions ?? 3;
  const schedule = planFaults(mulberry32(options.seed), { durationMs: options.durationMs, kinds: options.kinds ?? FAULT_KINDS, ...options.timing });
  const dataRoot = options.dataRoot ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gregor-chaos-')));
  log(`chaos: seed ${options.seed}, ${options.brokers} brokers, ${partitions} partitions, ${Math.round(options.durationMs / 1000)} s, ${schedule.length} faults planned, data in ${dataRoot}`);
  log(`chaos: replay with: ${replayCommand(options)}`);

  const cluster = await startCluster({ brokers: options.brokers, dataRoot, proxied: true, env: options.env, program: options.program, config: options.brokerConfig });
  const probe = new ClusterProbe();
  let result: ChaosResult | undefined;
  try {
    await createTopic(cluster, partitions, options.topicConfigs ?? {});
    await waitFor(async () => (await probe.describe(cluster.ids.map((id) => cluster.address(id)))).partitions.filter((p) => p.topic === CHAOS_TOPIC && p.leader > 0).length === partitions, 30000, 'a leader for every partition');

    const workload = new Workload({
      brokers: cluster.bootstrap,
      topic: CHAOS_TOPIC,
      partitions,
      producers: options.producers ?? 2,
      recordsPerSecond: options.recordsPerSecond ?? 200,
      seed: options.seed,
      log,
    });
    const started = Date.now();
    const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    workload.start();
    const mover = options.moves
      ? new Mover({
          cluster,
          topic: CHAOS_TOPIC,
          partitions,
          replicationFactor: Math.min(3, cluster.ids.length),
          seed: options.seed,
          gapMs: [1000, 4000],
          joins: options.joins ?? 2,
          steps: options.moveSteps,
          log: (line) => log(`chaos: ${elapsed()} ${line}`),
        })
      : null;
    mover?.start();
    let injected = 0;
    for (const fault of schedule) {
      // A slow heal (a broker slow to stop or start) can push the schedule past the end of the run.
      if (Date.now() - started >= options.durationMs) break;
      await sleepUntil(started + fault.atMs);
      if (await runFault(cluster, probe, fault, partitions, (line) => log(`chaos: ${elapsed()} ${line}`))) injected++;
      log(`chaos: ${elapsed()} acked ${workload.acks.length}, read ${workload.observations.length}, send errors ${workload.sendErrors}${workload.lastClientError ? ` (last: ${workload.lastClientError})` : ''}`);
    }
    await sleepUntil(started + options.durationMs);

    await mover?.stop();
    log(`chaos: ${elapsed()} healing everything`);
    await healEverything(cluster, log);
    if (mover) {
      log(
        `chaos: ${mover.moves} moves (${mover.cutOffs} cut off from old voters), ${mover.cancels} cancellations, ${mover.joined} joins, ${mover.decommissioned} decommissions started; waiting for the moves to end`,
      );
      // A move that never ends is reported and the run goes on to the checker: with a broken
      // broker it follows from the data that broker lost, which is what the round is there to find.
      await waitForMoves(cluster, options.convergeTimeoutMs ?? 60000).catch((err: Error) => log(`chaos: error: ${err.message}`));
      await mover.retireRemoved(options.convergeTimeoutMs ?? 60000).catch((err: Error) => log(`chaos: error: ${err.message}`));
    }
    // Sends still unanswered after this are abandoned: they count as neither acked nor lost.
    await workload.stopProducing(10000);
    const acks = [...workload.acks];
    const ackedUpTo = new Map<number, number>();
    for (const ack of acks) ackedUpTo.set(ack.partition, Math.max(ackedUpTo.get(ack.partition) ?? 0, ack.offset + 1));

    const state = await waitForConvergence(cluster, probe, partitions, ackedUpTo, options.convergeTimeoutMs ?? 60000, log);
    const highWatermarks = new Map<number, number>();
    for (const p of state?.partitions ?? []) if (p.topic === CHAOS_TOPIC) highWatermarks.set(p.partition, p.highWatermark);
    const finalReads = highWatermarks.size === partitions ? await readAll(cluster.bootstrap, CHAOS_TOPIC, highWatermarks, 30000) : new Map();
    await workload.stopConsuming();
    await cluster.stopAll('SIGTERM');

    const dataDirs = new Map(cluster.ids.map((id) => [id, cluster.dataDir(id)]));
    const replicas = await readReplicaLogs(dataDirs, CHAOS_TOPIC);
    const checked = checkHistory({ partitions, acks, observations: workload.observations, replicas, highWatermarks, finalReads });
    const faults = injected;
    result = { ...checked, seed: options.seed, faults, line: summaryLine({ ...checked, faults }), ok: checked.lost + checked.duplicated + checked.divergent + checked.reordered === 0, dataRoot };
    for (const problem of result.problems) log(`chaos: ${problem}`);
    if (!result.ok) {
      saveBrokerLogs(cluster, dataRoot);
      const kept = options.keepData === false && options.dataRoot === undefined ? '' : `; broker data and logs kept in ${dataRoot}`;
      log(`chaos: FAILED${kept}; replay with: ${replayCommand(options)}`);
    }
    log(result.line);
    return result;
  } finally {
    probe.close();
    const failed = result === undefined || !result.ok;
    const keep = options.dataRoot !== undefined || (options.keepData ?? failed);
    await cluster.cleanup();
    if (!keep) await fs.promises.rm(dataRoot, { recursive: true, force: true });
  }
}

/** Creates the topic under test, retrying while the cluster elects its controller. */
async function createTopic(cluster: LocalCluster, partitions: number, configs: Record<string, string>): Promise<void> {
  const admins = cluster.ids.map((id) => new Admin({ address: cluster.address(id), requestTimeoutMs: 5000 }));
  let attempt = 0;
  try {
    await waitFor(async () => {
      const admin = admins[attempt++ % admins.length];
      try {
        await admin.createTopic(CHAOS_TOPIC, { partitions, configs, replicationFactor: Math.min(3, cluster.ids.length) });
      } catch (err) {
        if (GregorError.from(err).code !== 'ALREADY_EXISTS') throw err;
      }
      return true;
    }, 30000, `topic ${CHAOS_TOPIC} created`, 200);
  } finally {
    admins.forEach((a) => a.close());
  }
}

/** Resolves a planned fault's targets against the current leaders and runs it to its heal. */
async function runFault(cluster: LocalCluster, probe: ClusterProbe, fault: PlannedFault, partitions: number, log: (line: string) => void): Promise<boolean> {
  const partition = choose(Array.from({ length: partitions }, (_, p) => p), fault.pick);
  let leader = 0;
  try {
    leader = await probe.leaderOf(cluster.live().map((id) => cluster.address(id)), CHAOS_TOPIC, partition);
  } catch {
    // No live broker answered: pick a "leader" from the draw.
  }
  // A network fault cuts proxied links only, so it picks among the brokers started with the cluster.
  const eligible = NETWORK_FAULTS.includes(fault.kind) ? cluster.wiredIds : cluster.ids;
  if (!eligible.includes(leader)) leader = choose(eligible, fault.pick);
  const targets = targetsFor(fault, leader, eligible);
  const startedAt = Date.now();
  log(`fault ${fault.kind} (p${partition} leader ${leader}) on [${targets.victims}]${targets.others.length ? ` vs [${targets.others}]` : ''} for ${fault.durationMs} ms`);
  let heal: () => Promise<void>;
  try {
    heal = await injectFault(cluster, fault.kind, targets, (message) => log(`error: ${message}`));
  } catch (err) {
    log(`error: could not inject ${fault.kind}: ${(err as Error).message}`);
    await healEverything(cluster, log);
    return false;
  }
  // Probed halfway through, so a slow answer never stretches the fault past its planned length.
  const observers = targets.others.length > 0 ? targets.others : cluster.ids;
  const leadersMidway = sleepUntil(startedAt + fault.durationMs / 2).then(() => leadersSeenBy(cluster, probe, observers));
  await sleepUntil(startedAt + fault.durationMs);
  await heal();
  log(`healed ${fault.kind} after ${Date.now() - startedAt} ms; leaders midway as [${observers}] saw them: ${await leadersMidway}`);
  return true;
}

/** Each partition's self-reported leader as the first answering broker of `ids` sees it, e.g. "p0=2 p1=3". */
async function leadersSeenBy(cluster: LocalCluster, probe: ClusterProbe, ids: readonly number[]): Promise<string> {
  try {
    const state = await probe.describe(ids.filter((id) => cluster.live().includes(id)).map((id) => cluster.address(id)));
    return state.partitions
      .filter((p) => p.topic === CHAOS_TOPIC)
      .sort((a, b) => a.partition - b.partition)
      .map((p) => `p${p.partition}=${p.replicaStates.find((r) => r.role === 'leader')?.brokerId ?? p.leader}`)
      .join(' ');
  } catch (err) {
    return `unknown (${(err as Error).message})`;
  }
}

/** A move in flight has learners and replicas about to leave: the final state is the one after it. */
async function waitForMoves(cluster: LocalCluster, timeoutMs: number): Promise<void> {
  const admin = new Admin({ brokers: cluster.bootstrap, requestTimeoutMs: 5000 });
  try {
    await waitFor(async () => (await admin.listReassignments()).reassignments.length === 0, timeoutMs, 'every move to end', 200);
  } finally {
    admin.close();
  }
}

async function healEverything(cluster: LocalCluster, log: (line: string) => void): Promise<void> {
  cluster.healNetwork();
  for (const id of cluster.ids) cluster.resume(id);
  for (const id of cluster.ids) {
    for (let attempt = 1; !cluster.isRunning(id) && attempt <= 3; attempt++) {
      await cluster.start(id).catch((err: Error) => log(`chaos: error: broker ${id} failed to start (attempt ${attempt}): ${err.message.split('\n').slice(0, 3).join(' | ')}`));
    }
  }
}

async function waitForConvergence(
  cluster: LocalCluster,
  probe: ClusterProbe,
  partitions: number,
  /** Per partition, one past the highest acknowledged offset: reported when the replicas do not converge. */
  ackedUpTo: ReadonlyMap<number, number>,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<ClusterState | null> {
  let last: ClusterState | null = null;
  let previousVector = '';
  try {
    return await waitFor(async () => {
      const state = await probe.describe(cluster.live().map((id) => cluster.address(id)));
      last = state;
      if (!converged(state, CHAOS_TOPIC, partitions) || leftoverReplicas(cluster, state).length > 0) return null;
      // Converged twice in a row at the same high watermarks: nothing is still arriving.
      const vector = highWatermarkVector(state, CHAOS_TOPIC);
      const stable = vector === previousVector;
      previousVector = vector;
      return stable ? state : null;
    }, timeoutMs, 'replicas to converge', 250);
  } catch (err) {
    log(`chaos: error: ${(err as Error).message}`);
    const state = last as ClusterState | null;
    for (const leftover of state ? leftoverReplicas(cluster, state) : []) log(`chaos: ${leftover} was moved away but is still on disk`);
    for (const p of state?.partitions ?? []) {
      if (p.topic !== CHAOS_TOPIC) continue;
      const replicas = p.replicaStates.map((r) => `${r.brokerId}:${r.logEndOffset}`).join(' ');
      log(`chaos: p${p.partition} leader ${p.leader} hw ${p.highWatermark} (acked up to ${ackedUpTo.get(p.partition) ?? 0}) replicas ${replicas}`);
    }
    return state;
  }
}

/**
 * Replicas a live broker still holds on disk of a partition whose replica set no longer names it:
 * a move's old replica its broker has not yet deleted (a broker just restarted may still be
 * applying the metadata that finished the move). The checker reads every replica on disk.
 */
function leftoverReplicas(cluster: LocalCluster, state: ClusterState): string[] {
  const leftovers: string[] = [];
  for (const id of cluster.live()) {
    for (const { partition } of partitionDirs(cluster.dataDir(id), CHAOS_TOPIC)) {
      const placed = state.partitions.find((p) => p.topic === CHAOS_TOPIC && p.partition === partition);
      if (placed && !placed.replicas.includes(id)) leftovers.push(`p${partition} on broker ${id}`);
    }
  }
  return leftovers;
}

function saveBrokerLogs(cluster: LocalCluster, dataRoot: string): void {
  for (const id of cluster.ids) {
    const lines = cluster.broker(id).logs.map((event) => JSON.stringify(event)).join('\n');
    fs.writeFileSync(path.join(dataRoot, `broker-${id}.log.jsonl`), `${lines}\n`);
  }
}
