import { backoffDelay } from '../src/retry';

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, options, () => 0)).toBe(50);
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(2, options, () => 1)).toBe(400);
    expect(backoffDelay(10, options, () => 1)).toBe(1000);
    expect(backoffDelay(10, options, () => 0)).toBe(500);
  });
});
