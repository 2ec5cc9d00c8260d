import { entrySize, type Message } from '@gregor/raft';

/** How much unused allowance a quiet moment may save up: a burst of at most this long at the rate. */
const BURST_SECONDS = 0.2;

/**
 * Caps the bytes a leader sends to catching-up replicas (learners) while a move runs, so that
 * the copy does not starve other partitions' replication of disk and network. Throttled messages
 * are held back in order, never dropped: Raft sees a slow link, and its flow control (a bounded
 * number of appends in flight) turns the delay into a rate. A token bucket that may go into debt
 * lets a message larger than the burst through once the debt is paid.
 */
export class CatchUpThrottle {
  private allowance = 0;
  private last: number;
  private readonly held: Message[] = [];

  constructor(
    private bytesPerSecond: number,
    private readonly now: () => number,
  ) {
    this.last = now();
  }

  setRate(bytesPerSecond: number): void {
    this.refill();
    this.bytesPerSecond = bytesPerSecond;
  }

  get rate(): number {
    return this.bytesPerSecond;
  }

  /**
   * The messages that may go now; appends and snapshots to a learner beyond the allowance (and any
   * after one already held for the same learner, so they keep their order) are held for release().
   */
  admit(messages: readonly Message[], isLearner: (id: number) => boolean): Message[] {
    this.refill();
    const now: Message[] = [];
    for (const m of messages) {
      const catchUp = (m.type === 'append' && (m.entries?.length ?? 0) > 0) || m.type === 'snapshot';
      if (!catchUp || !isLearner(m.to)) now.push(m);
      else if (this.allowance >= 0 && !this.held.some((h) => h.to === m.to)) {
        this.allowance -= sizeOf(m);
        now.push(m);
      } else this.hold(m);
    }
    return now;
  }

  /**
   * A leader probing a learner resends the same append on every heartbeat answer; holding each
   * copy would grow the queue faster than the rate drains it, and the learner would never catch
   * up. The newer copy takes the older one's place in the queue.
   */
  private hold(m: Message): void {
    const same = this.held.findIndex((h) => h.to === m.to && h.type === m.type && h.index === m.index);
    if (same >= 0) this.held[same] = m;
    else this.held.push(m);
  }

  /** Held messages the allowance now covers, in the order they were held. */
  release(): Message[] {
    this.refill();
    const out: Message[] = [];
    while (this.held.length > 0 && this.allowance >= 0) {
      const m = this.held.shift()!;
      this.allowance -= sizeOf(m);
      out.push(m);
    }
    return out;
  }

  /** Everything held, for when the throttle is lifted. */
  drain(): Message[] {
    return this.held.splice(0);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.allowance = Math.min(this.bytesPerSecond * BURST_SECONDS, this.allowance + elapsed * this.bytesPerSecond);
  }
}

function sizeOf(m: Message): number {
  let bytes = 64;
  for (const e of m.entries ?? []) bytes += entrySize(e);
  return bytes;
}
