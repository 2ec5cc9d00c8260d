import type { PlanBroker, PlanPartition, PlannedMove } from './replica-plan';

const MIB = 1024 * 1024;
const BYTE_GAP_SHARE = 0.05;

export interface BrokerLoad {
  id: number;
  replicas: number;
  /** Partitions it is the preferred (first) replica of. */
  leaders: number;
  bytes: number;
}

export interface RebalancePlan {
  moves: PlannedMove[];
  before: BrokerLoad[];
  after: BrokerLoad[];
}

/**
 * Replica lists that spread replicas evenly over `brokers` by count, then by bytes, and
 * preferred leaders evenly by count, never putting two replicas of a partition on one rack
 * where a free rack exists. Each step is the single replica move (or leader swap) that improves
 * the spread most, so the plan moves no more data than the spread needs: a cluster already even
 * gets no moves. Partitions with a replica on a broker outside `brokers` are left as they are.
 */
export function planRebalance(brokers: readonly PlanBroker[], partitions: readonly PlanPartition[], maxMoves = 10_000): RebalancePlan {
  const planned = new Set(brokers.map((b) => b.id));
  const movable = partitions.filter((p) => p.replicas.every((id) => planned.has(id)));
  const rackOf: Racks = brokers.some((b) => b.rack !== undefined) ? new Map(brokers.map((b) => [b.id, b.rack ?? `broker:${b.id}`])) : null;
  const lists = movable.map((p) => [...p.replicas]);
  const before = loads(brokers, movable, lists);
  const load = new Map(before.map((l) => [l.id, { ...l }]));
  const totalBytes = before.reduce((sum, l) => sum + l.bytes, 0);
  const balancing: Balancing = {
    partitions: movable,
    lists,
    load,
    rackOf,
    bytesScale: Math.max(1, ...movable.map((p) => p.bytes)),
    byteGap: Math.max(MIB, (BYTE_GAP_SHARE * totalBytes) / Math.max(1, brokers.length)),
  };
  const moveReplica = (index: number, slot: number, to: number): void => {
    const from = lists[index][slot];
    lists[index][slot] = to;
    shift(load.get(from)!, -1, -movable[index].bytes, slot === 0 ? -1 : 0);
    shift(load.get(to)!, 1, movable[index].bytes, slot === 0 ? 1 : 0);
  };
  // A swap can make a single move worth it again, so the two take turns until neither helps.
  for (let step = 0; step < maxMoves; step++) {
    const move = bestReplicaMove(balancing, brokers);
    if (move) {
      moveReplica(move.index, move.slot, move.to);
      continue;
    }
    const swap = bestByteSwap(balancing);
    if (!swap) break;
    moveReplica(swap.heavy.index, swap.heavy.slot, swap.light.broker);
    moveReplica(swap.light.index, swap.light.slot, swap.heavy.broker);
  }
  for (let step = 0; step < maxMoves; step++) {
    const best = bestLeaderSwap(lists, load);
    if (!best) break;
    const list = lists[best.index];
    load.get(list[0])!.leaders--;
    load.get(list[best.slot])!.leaders++;
    [list[0], list[best.slot]] = [list[best.slot], list[0]];
  }

  const moves = movable
    .map((p, i) => ({ topic: p.topic, partition: p.partition, from: p.replicas, to: lists[i] }))
    .filter((m) => m.to.join(',') !== m.from.join(','));
  return { moves, before, after: loads(brokers, movable, lists) };
}

/** Each broker's rack, or null when no broker declares one and racks constrain nothing. */
type Racks = ReadonlyMap<number, string> | null;

/** A plan being made: the replica lists so far and the brokers' loads under them. */
interface Balancing {
  partitions: readonly PlanPartition[];
  lists: number[][];
  load: Map<number, BrokerLoad>;
  rackOf: Racks;
  /** Bytes are compared in units of the largest partition, which keeps squared sums precise. */
  bytesScale: number;
  /** Replicas of one log differ by index entries and padding, and moving data to even out a few
   * percent of it costs more than it saves: bytes only count past this gap between two brokers. */
  byteGap: number;
}

interface ReplicaMove {
  index: number;
  slot: number;
  to: number;
}

/**
 * The best single move, looked for only where it can help, so that a step costs one pass over
 * the partitions: moves that split a partition's shared rack first, then moves from the most to
 * the least crowded brokers, and once counts are within one, from a broker with one more replica
 * to one with one fewer, which leaves the counts as even and may even the bytes.
 */
function bestReplicaMove(balancing: Balancing, brokers: readonly PlanBroker[]): ReplicaMove | null {
  const { lists, load, rackOf } = balancing;
  const everyone = brokers.map((b) => b.id);
  const racked = lists.some((list) => sharedRacks(list, rackOf) > 0) ? best(balancing, everyone, everyone, true) : null;
  if (racked) return racked;
  const counts = [...load.values()].map((l) => l.replicas);
  const most = Math.max(...counts);
  const fewest = Math.min(...counts);
  if (most === fewest) return null;
  const withCount = (c: number) => [...load.values()].filter((l) => l.replicas === c).map((l) => l.id);
  return best(balancing, withCount(most), withCount(most - fewest > 1 ? fewest : most - 1), false);
}

function best(balancing: Balancing, froms: readonly number[], tos: readonly number[], sharedOnly: boolean): ReplicaMove | null {
  const { partitions, lists, load, rackOf, bytesScale, byteGap } = balancing;
  let found: ReplicaMove | null = null;
  let bestScore: [number, number, number] = [0, 0, 0];
  lists.forEach((list, index) => {
    if (sharedOnly && sharedRacks(list, rackOf) === 0) return;
    const bytes = partitions[index].bytes / bytesScale;
    list.forEach((from, slot) => {
      if (!froms.includes(from)) return;
      const a = load.get(from)!;
      for (const to of tos) {
        if (list.includes(to)) continue;
        const b = load.get(to)!;
        // Changes in rack sharing, then in the sums of squared counts and bytes per broker.
        const score: [number, number, number] = [
          rackChange(list, slot, to, rackOf),
          2 * (b.replicas - a.replicas + 1),
          2 * bytes * (b.bytes / bytesScale - a.bytes / bytesScale + bytes),
        ];
        const bytesOnly = score[0] === 0 && score[1] === 0;
        if (bytesOnly && a.bytes - b.bytes <= byteGap) continue;
        if (improves(score) && lexicographic(score, bestScore) < 0) {
          found = { index, slot, to };
          bestScore = score;
        }
      }
    });
  });
  return found;
}

interface SwapSide {
  broker: number;
  index: number;
  slot: number;
}

/**
 * Once counts are even a single move only unevens them, so bytes even out by swapping a
 * replica of the heaviest broker with a smaller one of the lightest. Looking at that one pair
 * keeps each step linear in the partitions of two brokers.
 */
function bestByteSwap({ partitions, lists, load, rackOf, byteGap }: Balancing): { heavy: SwapSide; light: SwapSide } | null {
  const byBytes = [...load.values()].sort((a, b) => a.bytes - b.bytes || a.id - b.id);
  const light = byBytes[0];
  const heavy = byBytes[byBytes.length - 1];
  if (heavy.bytes - light.bytes <= byteGap) return null;
  const sides = (broker: number, other: number): SwapSide[] =>
    lists.flatMap((list, index) => (list.includes(broker) && !list.includes(other) ? [{ broker, index, slot: list.indexOf(broker) }] : []));
  const keepsRacks = (side: SwapSide, to: number): boolean => rackChange(lists[side.index], side.slot, to, rackOf) <= 0;
  let best: { heavy: SwapSide; light: SwapSide } | null = null;
  let bestDelta = 0;
  const lights = sides(light.id, heavy.id);
  for (const h of sides(heavy.id, light.id)) {
    if (!keepsRacks(h, light.id)) continue;
    for (const l of lights) {
      const d = partitions[h.index].bytes - partitions[l.index].bytes;
      // The change in the sum of squared bytes of the two brokers.
      const delta = 2 * d * (light.bytes - heavy.bytes + d);
      if (d > 0 && delta < bestDelta && keepsRacks(l, heavy.id)) {
        best = { heavy: h, light: l };
        bestDelta = delta;
      }
    }
  }
  return best;
}

function bestLeaderSwap(lists: readonly number[][], load: ReadonlyMap<number, BrokerLoad>): { index: number; slot: number } | null {
  let best: { index: number; slot: number } | null = null;
  let bestDelta = 0;
  lists.forEach((list, index) => {
    const leader = load.get(list[0])!;
    for (let slot = 1; slot < list.length; slot++) {
      const delta = 2 * (load.get(list[slot])!.leaders - leader.leaders + 1);
      if (delta < bestDelta) {
        best = { index, slot };
        bestDelta = delta;
      }
    }
  });
  return best;
}

/** Replicas beyond the first on each rack: 0 when every replica stands on a rack of its own. */
function sharedRacks(list: readonly number[], rackOf: Racks): number {
  if (!rackOf) return 0;
  return list.length - new Set(list.map((id) => rackOf.get(id))).size;
}

/** How replacing the replica at `slot` with broker `to` changes the list's rack sharing. */
function rackChange(list: readonly number[], slot: number, to: number, rackOf: Racks): number {
  if (!rackOf) return 0;
  const sharesWithOthers = (rack: string | undefined): number => (list.some((id, i) => i !== slot && rackOf.get(id) === rack) ? 1 : 0);
  return sharesWithOthers(rackOf.get(to)) - sharesWithOthers(rackOf.get(list[slot]));
}

/** Rack sharing must not grow; then the count spread, then the byte spread, must shrink. */
function improves([racks, counts, bytes]: readonly number[]): boolean {
  if (racks !== 0) return racks < 0;
  if (counts !== 0) return counts < 0;
  return bytes < -1e-9;
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function shift(load: BrokerLoad, replicas: number, bytes: number, leaders: number): void {
  load.replicas += replicas;
  load.bytes += bytes;
  load.leaders += leaders;
}

function loads(brokers: readonly PlanBroker[], partitions: readonly PlanPartition[], lists: readonly number[][]): BrokerLoad[] {
  const byId = new Map(brokers.map((b) => [b.id, { id: b.id, replicas: 0, leaders: 0, bytes: 0 }]));
  lists.forEach((list, i) => list.forEach((id, slot) => shift(byId.get(id)!, 1, partitions[i].bytes, slot === 0 ? 1 : 0)));
  return [...byId.values()];
}
