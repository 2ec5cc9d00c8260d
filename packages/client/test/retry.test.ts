import { Cluster } from '../src/cluster/cluster';
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

describe('Cluster retry backoff', () => {
  it('starts at 100 ms and by default caps at 1000 ms, as Kafka clients do', () => {
    const cluster = new Cluster({ brokers: '127.0.0.1:1' });
    try {
      const first = cluster.backoffDelay(0);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      for (let i = 0; i < 20; i++) {
        const late = cluster.backoffDelay(30);
        expect(late).toBeGreaterThanOrEqual(500);
        expect(late).toBeLessThanOrEqual(1000);
      }
    } finally {
      cluster.close();
    }
  });
});
