import type { VirtualClock } from './virtual-clock';

export interface AdvanceOptions {
  /** Virtual time moved per step: one Raft tick, say. */
  stepMs: number;
  /** Virtual time after which to give up. */
  maxMs: number;
  /** Resolves once the system has done all it can without time moving: messages delivered, writes durable. */
  settle(): Promise<void>;
  what: string;
}

/**
 * waitFor on virtual time: lets the system settle, checks `condition`, and only then moves the
 * clock one step, so what happens between two ticks never depends on how fast the machine is.
 */
export async function advanceUntil<T>(clock: VirtualClock, condition: () => T | Promise<T>, options: AdvanceOptions): Promise<NonNullable<T>> {
  const deadline = clock.now() + options.maxMs;
  for (;;) {
    await options.settle();
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (clock.now() >= deadline) throw new Error(`no ${options.what} after ${options.maxMs} ms of virtual time`);
    clock.advance(options.stepMs);
  }
}

/**
 * Resolves once `quiet()` holds, checking after each turn of the event loop (so I/O callbacks
 * run in between); rejects after `realTimeoutMs` of wall time, which only a hang reaches.
 */
export async function quietened(quiet: () => boolean, realTimeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + realTimeoutMs;
  while (!quiet()) {
    if (Date.now() >= deadline) throw new Error(`${what} did not settle within ${realTimeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
