import { Admin } from '@gregor/client';
import type { LocalCluster } from '../cluster';
import { mulberry32, randomInt } from '../prng';

export interface MoverOptions {
  cluster: LocalCluster;
  topic: string;
  partitions: number;
  replicationFactor: number;
  seed: number;
  /** Quiet time between two moves, ms. */
  gapMs: readonly [number, number];
  log(line: string): void;
}

/**
 * Reassignment as a fault: while the other faults kill, pause and cut brokers off, it moves
 * random partitions of the topic under test to random replica sets, now and then cancelling a
 * move midway, and sometimes caps the copy with a throttle. A move the cluster refuses (a broker
 * down, the partition already moving) is simply not made. Seeded: the same seed draws the same
 * choices, though what the cluster accepts depends on timing.
 */
export class Mover {
  private readonly random: () => number;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  moves = 0;
  cancels = 0;

  constructor(private readonly options: MoverOptions) {
    this.random = mulberry32(options.seed ^ 0x6d6f7665);
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const { cluster, gapMs } = this.options;
    while (this.running) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(this.random, gapMs[0], gapMs[1])));
      if (!this.running) break;
      const live = cluster.live();
      if (live.length === 0) continue;
      const admin = new Admin({ brokers: live.map((id) => cluster.address(id)).join(','), requestTimeoutMs: 5000 });
      try {
        await this.step(admin);
      } catch (err) {
        this.options.log(`move refused or failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      } finally {
        admin.close();
      }
    }
  }

  private async step(admin: Admin): Promise<void> {
    const { topic, partitions, replicationFactor, cluster, log } = this.options;
    const partition = randomInt(this.random, 0, partitions - 1);
    const cancel = this.random() < 0.2;
    const throttled = this.random() < 0.3;
    const target = shuffled(cluster.ids, this.random).slice(0, replicationFactor);
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
}

function shuffled(ids: readonly number[], random: () => number): number[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, 0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
