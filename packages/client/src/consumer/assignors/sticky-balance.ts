/**
 * A balanced assignment that moves as few kept partitions as it can. Members are indexes 0..n-1
 * (lower first on ties), partitions ids with their topic; `eligible(member, id)` says whether the
 * member is subscribed to the partition's topic.
 */
export interface BalanceInput {
  members: number;
  /** Partition id to the member that holds it now. */
  kept: ReadonlyMap<number, number>;
  /** Partitions nobody holds, to place. */
  free: readonly number[];
  eligible(member: number, id: number): boolean;
}

/** Partition id to member: free partitions go to the least loaded member that may take them, then partitions move from the fullest to the emptiest until no member could take one from a member with two more. */
export function stickyBalance(input: BalanceInput): Map<number, number> {
  const held: Set<number>[] = Array.from({ length: input.members }, () => new Set());
  const target = new Map<number, number>();
  const give = (member: number, id: number): void => {
    held[member].add(id);
    target.set(id, member);
  };
  for (const [id, member] of input.kept) give(member, id);

  const takers = (id: number): number[] => Array.from({ length: input.members }, (_, m) => m).filter((m) => input.eligible(m, id));
  // Partitions few members can take go first, while those members still have room.
  const free = input.free.map((id) => ({ id, takers: takers(id) })).sort((a, b) => a.takers.length - b.takers.length || a.id - b.id);
  for (const { id, takers: candidates } of free) {
    if (candidates.length === 0) continue;
    give(candidates.reduce((least, m) => (held[m].size < held[least].size ? m : least)), id);
  }

  for (let move = findMove(held, input); move !== undefined; move = findMove(held, input)) {
    held[move.from].delete(move.id);
    give(move.to, move.id);
  }
  return target;
}

/** Each move lowers the sum of squared counts, so the balancing loop ends. */
function findMove(held: readonly Set<number>[], input: BalanceInput): { from: number; to: number; id: number } | undefined {
  const byCount = held.map((_, m) => m).sort((a, b) => held[a].size - held[b].size || a - b);
  for (const from of [...byCount].reverse()) {
    for (const to of byCount) {
      if (held[from].size - held[to].size < 2) break;
      // A partition that was free this round moves at no cost; a kept one costs its owner a revocation.
      let costly: number | undefined;
      for (const id of [...held[from]].sort((a, b) => a - b)) {
        if (!input.eligible(to, id)) continue;
        if (input.kept.get(id) !== from) return { from, to, id };
        costly ??= id;
      }
      if (costly !== undefined) return { from, to, id: costly };
    }
  }
  return undefined;
}
