import { Message, NodeId } from '../../src';
import { Prng } from './prng';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  minDelay: number;
  maxDelay: number;
}

const RING = 64;

/**
 * A simulated network with virtual time: each message is delivered after a
 * random delay (so messages reorder), may be dropped or duplicated, and is
 * lost if its link is cut when it is sent or when it arrives.
 */
export class Network {
  private readonly ring: Message[][] = Array.from({ length: RING }, () => []);
  private readonly cut = new Set<number>();
  private pending = 0;
  sent = 0;

  constructor(private readonly prng: Prng, public faults: NetworkFaults) {
    if (faults.maxDelay >= RING) throw new RangeError('maxDelay too large');
  }

  /** Queue m for delivery; returns false if it is lost. */
  send(m: Message, now: number): boolean {
    this.sent++;
    if (!this.linkUp(m.from, m.to) || this.prng.chance(this.faults.dropRate)) return false;
    this.enqueue(m, now);
    if (this.prng.chance(this.faults.duplicateRate)) this.enqueue(m, now);
    return true;
  }

  /** Messages due at `now` (the caller still checks the link with linkUp). */
  takeDue(now: number): Message[] | undefined {
    const slot = now % RING;
    const due = this.ring[slot];
    if (due.length === 0) return undefined;
    this.ring[slot] = [];
    this.pending -= due.length;
    return due;
  }

  inFlight(): number {
    return this.pending;
  }

  linkUp(from: NodeId, to: NodeId): boolean {
    return !this.cut.has(from * 1024 + to);
  }

  /** Cut every link between nodes that share no group. A node in two groups bridges them. */
  partition(groups: readonly (readonly NodeId[])[], all: readonly NodeId[]): void {
    this.cut.clear();
    for (const a of all) {
      for (const b of all) {
        if (a === b) continue;
        const together = groups.some((g) => g.includes(a) && g.includes(b));
        if (!together) this.cut.add(a * 1024 + b);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  private enqueue(m: Message, now: number): void {
    const delay = this.prng.between(this.faults.minDelay, this.faults.maxDelay);
    this.ring[(now + delay) % RING].push(m);
    this.pending++;
  }
}
