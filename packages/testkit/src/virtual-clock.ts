interface Periodic {
  readonly intervalMs: number;
  readonly task: () => void;
  dueAt: number;
}

/**
 * Time that moves only when a test moves it. It has the shape of the broker's Ticker, so Raft
 * ticks and heartbeats driven by it fire after a set amount of virtual time, never because the
 * machine was slow.
 */
export class VirtualClock {
  private nowMs: number;
  private readonly periodic = new Set<Periodic>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  every(intervalMs: number, task: () => void): () => void {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
    const entry: Periodic = { intervalMs, task, dueAt: this.nowMs + intervalMs };
    this.periodic.add(entry);
    return () => this.periodic.delete(entry);
  }

  /** Moves time on by `ms`, running each task as it falls due, earliest first (ties in the order they were added). */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      let next: Periodic | undefined;
      for (const entry of this.periodic) if (entry.dueAt <= until && (!next || entry.dueAt < next.dueAt)) next = entry;
      if (!next) break;
      this.nowMs = next.dueAt;
      next.dueAt += next.intervalMs;
      next.task();
    }
    this.nowMs = until;
  }
}
