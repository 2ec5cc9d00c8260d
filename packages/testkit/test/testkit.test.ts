import { mulberry32, randomBytes, randomInt, waitFor } from '@gregor/testkit';

describe('mulberry32', () => {
  it('replays the same sequence for the same seed, in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('draws integers in range and seeded bytes of the asked length', () => {
    const random = mulberry32(7);
    const ints = Array.from({ length: 2000 }, () => randomInt(random, -3, 3));
    expect(Math.min(...ints)).toBe(-3);
    expect(Math.max(...ints)).toBe(3);
    expect(randomBytes(mulberry32(1), 7)).toEqual(randomBytes(mulberry32(1), 7));
    expect(randomBytes(mulberry32(1), 7)).toHaveLength(7);
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls >= 3 ? 'ready' : null), 5000, 'three calls', 1)).toBe('ready');
    expect(calls).toBe(3);
  });

  it('rejects after the deadline, naming what it waited for and the last error', async () => {
    await expect(waitFor(() => false, 30, 'never', 5)).rejects.toThrow('timed out after 30 ms waiting for never');
    await expect(
      waitFor(() => {
        throw new Error('still down');
      }, 30, 'up', 5),
    ).rejects.toThrow(/waiting for up: last error still down/);
  });
});
