import { mulberry32 } from '@gregor/testkit';

/**
 * Send times (ms from the start) of `count` records arriving as a Poisson
 * process at `ratePerSec`: exponential gaps from a seeded PRNG, so a run
 * replays exactly and bursts happen as they would with independent senders.
 */
export function poissonSchedule(seed: number, ratePerSec: number, count: number): Float64Array {
  const random = mulberry32(seed);
  const meanGapMs = 1000 / ratePerSec;
  const times = new Float64Array(count);
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += -Math.log(1 - random()) * meanGapMs;
    times[i] = t;
  }
  return times;
}
