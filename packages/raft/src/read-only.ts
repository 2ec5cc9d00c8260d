import { NodeId } from './types';

/** A read waiting for a quorum to confirm that the leader was still the leader when it arrived. */
interface PendingRead {
  readonly round: number;
  readonly index: number;
  readonly from: NodeId;
  readonly context: number;
  readonly acks: Set<NodeId>;
}

export interface ConfirmedRead {
  readonly index: number;
  readonly from: NodeId;
  readonly context: number;
}

/**
 * ReadIndex (Raft thesis §6.4): each read records the commit index on
 * arrival and gets a heartbeat round; once a quorum answers that round (or a
 * later one) the read may be served at that index.
 */
export class ReadOnly {
  private queue: PendingRead[] = [];
  private nextRound = 1;

  add(index: number, from: NodeId, context: number, self: NodeId): number {
    const round = this.nextRound++;
    this.queue.push({ round, index, from, context, acks: new Set([self]) });
    return round;
  }

  /** Record that `from` answered heartbeat round `round`; returns that round's ack set. */
  ack(round: number, from: NodeId): ReadonlySet<NodeId> | undefined {
    const r = this.queue.find((p) => p.round === round);
    if (r === undefined) return undefined;
    r.acks.add(from);
    return r.acks;
  }

  /** Round `round` is confirmed: it and every earlier read are safe to serve. */
  release(round: number): ConfirmedRead[] {
    const n = this.queue.findIndex((p) => p.round === round);
    if (n < 0) return [];
    const done = this.queue.slice(0, n + 1);
    this.queue = this.queue.slice(n + 1);
    return done;
  }

  /** The newest round still waiting, 0 if none: every heartbeat carries it, so one lost round does not stall reads. */
  lastPendingRound(): number {
    return this.queue.length > 0 ? this.queue[this.queue.length - 1].round : 0;
  }

  reset(): void {
    this.queue = [];
  }
}
