import type { Clock, Timer } from '../../../src/consumer/clock';

interface Scheduled {
  at: number;
  run: () => void;
  cancelled: boolean;
}

/** Time that moves only when a test says so, firing due timers in order. */
export class ManualClock implements Clock {
  private time = 0;
  private scheduled: Scheduled[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): Timer {
    const entry: Scheduled = { at: this.time + ms, run, cancelled: false };
    this.scheduled.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.scheduled = this.scheduled.filter((s) => !s.cancelled);
      const due = this.scheduled.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.scheduled.splice(this.scheduled.indexOf(due), 1);
      this.time = due.at;
      due.run();
    }
    this.time = end;
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Lets simulated time pass in steps until the condition holds; fails after a real-time deadline
 * so a broken state machine fails the test instead of hanging it.
 */
export async function until(clock: ManualClock, condition: () => boolean, what: string, stepMs = 10): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await settle();
    if (condition()) return;
    clock.advance(stepMs);
  }
}
