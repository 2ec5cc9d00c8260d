export interface Timer {
  cancel(): void;
}

/** Time as group membership sees it; tests drive a manual one instead of waiting. */
export interface Clock {
  now(): number;
  after(ms: number, run: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, run) {
    const handle = setTimeout(run, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
