import { Entry } from './types';

/** Position of the first entry in `ents` whose lastIndex is greater than `index`. */
export function firstAfter(ents: readonly Entry[], index: number): number {
  let lo = 0;
  let hi = ents.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ents[mid].lastIndex <= index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
