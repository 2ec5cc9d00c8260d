import { randomInt } from '../prng';

/**
 * The faults a chaos run injects. "Leader" means the leader of a partition
 * of the topic under test at the moment the fault starts.
 * - kill-leader / kill-follower / kill-all: SIGKILL, restarted when the fault ends;
 * - pause-leader: SIGSTOP, SIGCONT when the fault ends (long enough to lose leadership);
 * - isolate-leader: the leader cut off from every other broker;
 * - split: a minority holding the leader cut off from the majority;
 * - one-way: everything one broker sends to another is lost (leader to follower or back);
 * - restart: a clean SIGTERM restart of one broker.
 */
export const FAULT_KINDS = ['kill-leader', 'kill-follower', 'kill-all', 'pause-leader', 'isolate-leader', 'split', 'one-way', 'restart'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** When it starts, ms after the workload starts. */
  atMs: number;
  kind: FaultKind;
  /** How long it lasts before it is healed. */
  durationMs: number;
  /** A seeded draw in [0, 1) that picks the fault's partition and brokers when it starts. */
  pick: number;
}

export interface ScheduleOptions {
  durationMs: number;
  kinds?: readonly FaultKind[];
  /** Quiet time before the first fault (default 2000 ms). */
  firstAtMs?: number;
  /** Each fault lasts between these, ms (default 1500..4000: longer than an election timeout). */
  faultMs?: readonly [number, number];
  /** Quiet time between a heal and the next fault, ms (default 1000..3000). */
  gapMs?: readonly [number, number];
}

/** One fault at a time, from a seeded random source: the same seed gives the same schedule. */
export function planFaults(random: () => number, options: ScheduleOptions): PlannedFault[] {
  const kinds = options.kinds ?? FAULT_KINDS;
  if (kinds.length === 0) return [];
  const [faultMin, faultMax] = options.faultMs ?? [1500, 4000];
  const [gapMin, gapMax] = options.gapMs ?? [1000, 3000];
  const faults: PlannedFault[] = [];
  let at = options.firstAtMs ?? 2000;
  while (at < options.durationMs) {
    const kind = kinds[randomInt(random, 0, kinds.length - 1)];
    const durationMs = Math.min(randomInt(random, faultMin, faultMax), Math.max(0, options.durationMs - at));
    faults.push({ atMs: at, kind, durationMs, pick: random() });
    at += durationMs + randomInt(random, gapMin, gapMax);
  }
  return faults;
}

/** Picks an element by a draw in [0, 1). */
export function choose<T>(items: readonly T[], draw: number): T {
  return items[Math.min(items.length - 1, Math.floor(draw * items.length))];
}

/** A second independent-looking draw from one draw, so one `pick` can choose two things. */
export function redraw(draw: number): number {
  const scaled = draw * 7919;
  return scaled - Math.floor(scaled);
}

/** The brokers a fault acts on, given the leader it found and every broker id. */
export interface FaultTargets {
  /** Brokers the fault kills, pauses, restarts or cuts off. */
  victims: number[];
  /** For split: the other side. For one-way: the broker that no longer hears from victims[0]. */
  others: number[];
}

/** Resolves a planned fault against the cluster as it is now. Pure. */
export function targetsFor(fault: PlannedFault, leader: number, ids: readonly number[]): FaultTargets {
  const followers = ids.filter((id) => id !== leader);
  const second = redraw(fault.pick);
  switch (fault.kind) {
    case 'kill-leader':
    case 'pause-leader':
    case 'isolate-leader':
      return { victims: [leader], others: followers };
    case 'kill-follower':
      return { victims: [choose(followers, second)], others: [] };
    case 'kill-all':
      return { victims: [...ids], others: [] };
    case 'restart':
      return { victims: [choose(ids, second)], others: [] };
    case 'split': {
      const minoritySize = Math.floor(ids.length / 2);
      const rotated = followers.map((_, i) => followers[(i + Math.floor(second * followers.length)) % followers.length]);
      const minority = [leader, ...rotated.slice(0, minoritySize - 1)];
      return { victims: minority, others: ids.filter((id) => !minority.includes(id)) };
    }
    case 'one-way': {
      const follower = choose(followers, second);
      return redraw(second) < 0.5 ? { victims: [leader], others: [follower] } : { victims: [follower], others: [leader] };
    }
  }
}
