import { Admin } from '@gregor/client';
import type { LocalCluster } from '../cluster';
import { mulberry32, randomInt } from '../prng';
import { waitFor } from '../wait-for';

/** What one step of the mover does; drawn with the weights below. */
export type MoverStep = 'move' | 'cut-off' | 'join' | 'decommission';

export const MOVER_STEPS: readonly MoverStep[] = ['move', 'cut-off', 'join', 'decommission'];

const WEIGHTS: Record<MoverStep, number> = { move: 0.65, 'cut-off': 0.13, join: 0.12, decommission: 0.1 };

export interface MoverOptions {
  cluster: LocalCluster;
  topic: string;
  partitions: number;
  replicationFactor: number;
  seed: number;
  /** Quiet time between two steps, ms. */
  gapMs: readonly [number, number];
  /** Brokers it may start with --join over the run (ids after the cluster's own); 0: it only moves partitions. */
  joins: number;
  /** The steps to draw from (default all; join and decommission only while `joins` > 0). */
  steps?: readonly MoverStep[];
  log(line: string): void;
}

/** Brokers started with the cluster that stay in it, so that network faults keep links to cut. */
const KEEP_WIRED = 3;

/** How long a cut-off move keeps its leader and learners apart from the old voters, then how long that side stays down, ms. */
const CUT_OFF_MS = 4000;
const CUT_OFF_DOWN_MS = 2000;

/**
 * Reassignment as a fault: while the other faults kill, pause and cut brokers off, it moves
 * random partitions of the topic under test to random replica sets (now and then cancelling a
 * move midway, sometimes throttled), starts new brokers with --join and decommissions brokers,
 * stopping each for good once the cluster reports it removed. A "cut-off move" takes a partition
 * to two new brokers and, while they are learners, cuts the leader and them off from the other old
 * voters, then kills that side: a leader that counted learners toward its commit quorum would have
 * acknowledged records that only its side holds, and the old voters elect a leader without them.
 * A step the cluster refuses (a broker down, the partition already moving) is simply not made.
 * Seeded: the same seed draws the same choices, though what the cluster accepts depends on timing.
 */
export class Mover {
  private readonly random: () => number;
  private readonly firstJoinId: number;
  private readonly decommissioning = new Set<number>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  moves = 0;
  cancels = 0;
  cutOffs = 0;
  joined = 0;
  decommissioned = 0;

  constructor(private readonly options: MoverOptions) {
    this.random = mulberry32(options.seed ^ 0x6d6f7665);
    this.firstJoinId = Math.max(...options.cluster.ids) + 1;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Waits for every decommissioned broker to be reported removed, and stops each for good. */
  async retireRemoved(timeoutMs: number): Promise<void> {
    if (this.decommissioning.size === 0) return;
    await waitFor(() => this.withAdmin(async (admin) => (await this.retire(admin), this.decommissioning.size === 0)), timeoutMs, 'every decommissioned broker removed', 200);
  }

  private async run(): Promise<void> {
    const { gapMs } = this.options;
    while (this.running) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(this.random, gapMs[0], gapMs[1])));
      if (!this.running) break;
      try {
        await this.withAdmin(async (admin) => {
          await this.retire(admin);
          await this.step(admin);
        });
      } catch (err) {
        this.options.log(`step refused or failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
  }

  private async withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
    const { cluster } = this.options;
    const live = cluster.live();
    if (live.length === 0) throw new Error('no live broker');
    const admin = new Admin({ brokers: live.map((id) => cluster.address(id)).join(','), requestTimeoutMs: 5000 });
    try {
      return await use(admin);
    } finally {
      admin.close();
    }
  }

  private async step(admin: Admin): Promise<void> {
    const steps = (this.options.steps ?? MOVER_STEPS).filter((step) => this.options.joins > 0 || (step !== 'join' && step !== 'decommission'));
    let draw = this.random() * steps.reduce((sum, step) => sum + WEIGHTS[step], 0);
    const step = steps.find((candidate) => (draw -= WEIGHTS[candidate]) < 0) ?? steps[steps.length - 1];
    switch (step) {
      case 'join':
        return this.joined < this.options.joins ? this.join() : undefined;
      case 'decommission':
        return this.decommission(admin);
      case 'cut-off':
        return this.cutOffMove(admin);
      case 'move':
        return this.move(admin);
    }
  }

  /** Brokers in the cluster and not on their way out. */
  private active(): number[] {
    return this.options.cluster.ids.filter((id) => !this.decommissioning.has(id));
  }

  private async move(admin: Admin): Promise<void> {
    const { topic, partitions, replicationFactor, log } = this.options;
    const partition = randomInt(this.random, 0, partitions - 1);
    const cancel = this.random() < 0.2;
    const throttled = this.random() < 0.3;
    const target = shuffled(this.active(), this.random).slice(0, replicationFactor);
    if (cancel) {
      await admin.cancelReassignment(topic, partition);
      this.cancels++;
      log(`cancelled the move of ${topic}-${partition}`);
      return;
    }
    await admin.reassignPartitions([{ topic, partition, replicas: target }], throttled ? 1 : 0);
    this.moves++;
    log(`moving ${topic}-${partition} to [${target.join(',')}]${throttled ? ' at 1 MB/s' : ''}`);
  }

  private async cutOffMove(admin: Admin): Promise<void> {
    const { topic, partitions, cluster, log } = this.options;
    const partition = randomInt(this.random, 0, partitions - 1);
    const current = (await admin.describeCluster()).partitions.find((p) => p.topic === topic && p.partition === partition)?.replicas ?? [];
    // Brokers with proxies first: the cut needs them.
    const outside = this.active().filter((id) => !current.includes(id));
    const wiredOutside = outside.filter((id) => cluster.wiredIds.includes(id));
    const newcomers = shuffled(wiredOutside.length >= 2 ? wiredOutside : outside, this.random).slice(0, 2);
    if (current.length < 2 || newcomers.length < 2) return;
    const target = [current[randomInt(this.random, 0, current.length - 1)], ...newcomers];
    // Unthrottled: the learners must catch up before the cut-off leader's check-quorum round makes
    // it step down, or a leader counting them would have nothing to commit with them.
    await admin.reassignPartitions([{ topic, partition, replicas: target }]);
    this.moves++;
    log(`moving ${topic}-${partition} from [${current.join(',')}] to [${target.join(',')}], to cut its leader off while [${newcomers.join(',')}] are learners`);
    const learning = await waitFor(
      async () => {
        const move = (await admin.listReassignments()).reassignments.find((m) => m.topic === topic && m.partition === partition);
        if (!move) return 'gone';
        return newcomers.every((id) => move.learners.includes(id)) ? move : null;
      },
      5000,
      'both learners added',
      20,
    ).catch(() => 'gone' as const);
    if (learning === 'gone') return log(`${topic}-${partition}: the learners came and went unseen; no cut-off`);
    const side = [learning.leader, ...newcomers];
    const others = learning.voters.filter((id) => id !== learning.leader);
    const wired = new Set(cluster.wiredIds);
    if ([...side, ...others].some((id) => !wired.has(id))) return log(`${topic}-${partition}: a broker of [${side.join(',')}] vs [${others.join(',')}] joined later and has no proxies; no cut-off`);
    cluster.split(side, others);
    this.cutOffs++;
    log(`cut leader ${learning.leader} of ${topic}-${partition} and its learners [${newcomers.join(',')}] off from [${others.join(',')}]`);
    await new Promise((resolve) => setTimeout(resolve, CUT_OFF_MS));
    // Then the cut-off side loses power: the old voters go on alone, from what they hold.
    await Promise.all(side.map((id) => cluster.kill(id, 'SIGKILL')));
    cluster.unsplit(side, others);
    log(`killed [${side.join(',')}] and healed the cut; they start again in ${CUT_OFF_DOWN_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, CUT_OFF_DOWN_MS));
    await Promise.all(side.map((id) => cluster.start(id)));
    log(`started [${side.join(',')}] again`);
  }

  private async join(): Promise<void> {
    const id = this.firstJoinId + this.joined;
    this.joined++;
    await this.options.cluster.join(id);
    this.options.log(`broker ${id} joined`);
  }

  private async decommission(admin: Admin): Promise<void> {
    const { cluster, replicationFactor, log } = this.options;
    const active = this.active();
    const wired = new Set(cluster.wiredIds);
    const spareWired = active.filter((id) => wired.has(id)).length > KEEP_WIRED;
    const candidates = active.filter((id) => !wired.has(id) || spareWired);
    if (active.length <= replicationFactor + 1 || candidates.length === 0) return;
    const id = candidates[randomInt(this.random, 0, candidates.length - 1)];
    const { moves } = await admin.decommissionBroker(id);
    this.decommissioning.add(id);
    this.decommissioned++;
    log(`decommissioning broker ${id}: ${moves.length} replicas to move off`);
  }

  /** Stops for good each decommissioned broker the cluster reports removed. */
  private async retire(admin: Admin): Promise<void> {
    if (this.decommissioning.size === 0) return;
    const { brokers } = await admin.describeCluster();
    for (const id of [...this.decommissioning]) {
      if (brokers.find((b) => b.id === id)?.state !== 'removed') continue;
      await this.options.cluster.retire(id);
      this.decommissioning.delete(id);
      this.options.log(`broker ${id} removed and stopped`);
    }
  }
}

function shuffled(ids: readonly number[], random: () => number): number[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, 0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
