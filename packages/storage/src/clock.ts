/** Milliseconds since the epoch; injected so retention and rolling can be tested on virtual time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
