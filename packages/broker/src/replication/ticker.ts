/**
 * The time the broker's periodic work runs on: Raft ticks, broker heartbeats and liveness checks.
 * Injected so tests can run them on virtual time, where an election takes a set number of ticks
 * however loaded the machine is; production wires `realTicker` at the composition root.
 */
export interface Ticker {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `task` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, task: () => void): () => void;
}

export const realTicker: Ticker = {
  now: () => Date.now(),
  every(intervalMs, task) {
    const timer = setInterval(task, intervalMs);
    return () => clearInterval(timer);
  },
};
