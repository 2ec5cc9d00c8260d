import { BrokerError } from '../errors';

export interface PlanBroker {
  id: number;
  rack?: string;
}

export interface PlanPartition {
  topic: string;
  partition: number;
  replicas: readonly number[];
  /** Bytes of the leader's log. */
  bytes: number;
}

export interface PlannedMove {
  topic: string;
  partition: number;
  from: readonly number[];
  to: number[];
}

/**
 * Target replica lists that take broker `leaving` out of every partition, keeping each factor.
 * A leaving preferred leader's successor is the next replica, which already has the data; the
 * replacement goes last and is the eligible broker with the fewest replicas (then bytes, then
 * lowest id), preferring a rack the partition does not use yet.
 */
export function planDecommission(brokers: readonly PlanBroker[], partitions: readonly PlanPartition[], leaving: number): PlannedMove[] {
  const eligible = brokers.filter((b) => b.id !== leaving);
  const load = new Map(eligible.map((b) => [b.id, { replicas: 0, bytes: 0 }]));
  for (const p of partitions) {
    for (const id of p.replicas) {
      const l = load.get(id);
      if (l) {
        l.replicas++;
        l.bytes += p.bytes;
      }
    }
  }
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]));
  const moves: PlannedMove[] = [];
  for (const p of partitions) {
    if (!p.replicas.includes(leaving)) continue;
    const kept = p.replicas.filter((id) => id !== leaving);
    const candidates = eligible.filter((b) => !kept.includes(b.id));
    if (candidates.length === 0) {
      throw new BrokerError(
        'INVALID_REPLICATION_FACTOR',
        `cannot decommission broker ${leaving}: ${p.topic}-${p.partition} has replication factor ${p.replicas.length} and only ${eligible.length} other eligible broker(s) would remain`,
      );
    }
    const usedRacks = new Set(kept.map((id) => rackOf.get(id)).filter((r) => r !== undefined));
    const score = (b: PlanBroker): [number, number, number, number] => {
      const l = load.get(b.id)!;
      return [b.rack !== undefined && usedRacks.has(b.rack) ? 1 : 0, l.replicas, l.bytes, b.id];
    };
    const chosen = candidates.reduce((best, b) => (compare(score(b), score(best)) < 0 ? b : best));
    const chosenLoad = load.get(chosen.id)!;
    chosenLoad.replicas++;
    chosenLoad.bytes += p.bytes;
    moves.push({ topic: p.topic, partition: p.partition, from: p.replicas, to: [...kept, chosen.id] });
  }
  return moves;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
