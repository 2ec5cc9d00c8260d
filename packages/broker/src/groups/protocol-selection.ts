import type { Protocol } from './group-records';

/**
 * Kafka's choice of a group's protocol: among the protocols every member supports, each member
 * votes for the first in its own order of preference; most votes wins, ties going to the
 * candidate the first member prefers.
 */
export function selectProtocol(memberProtocols: ReadonlyArray<readonly Protocol[]>): string {
  const [first, ...rest] = memberProtocols;
  const candidates = first.map((p) => p.name).filter((name) => rest.every((protocols) => protocols.some((p) => p.name === name)));
  const votes = new Map(candidates.map((name) => [name, 0]));
  for (const protocols of memberProtocols) {
    const choice = protocols.find((p) => votes.has(p.name))!;
    votes.set(choice.name, votes.get(choice.name)! + 1);
  }
  let best = candidates[0];
  for (const name of candidates) if (votes.get(name)! > votes.get(best)!) best = name;
  return best;
}

export function sameProtocols(a: readonly Protocol[], b: readonly Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
