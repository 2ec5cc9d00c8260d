import { BufferPool } from '../../src/producer/buffer-pool';

describe('BufferPool', () => {
  it('hands released buffers out again, keeping at most maxFree and only its own size', () => {
    const pool = new BufferPool(1024, 2);
    const [a, b, c] = [pool.acquire(), pool.acquire(), pool.acquire()];
    expect([a.length, b.length, c.length]).toEqual([1024, 1024, 1024]);
    pool.release(a);
    pool.release(b);
    pool.release(c);
    pool.release(Buffer.alloc(512));
    const again = [pool.acquire(), pool.acquire()];
    expect(new Set(again)).toEqual(new Set([a, b]));
    const fresh = pool.acquire();
    expect([a, b, c].includes(fresh)).toBe(false);
    expect(fresh.length).toBe(1024);
  });
});
