import { BufferedBytes } from '../../src/producer/buffered-bytes';

describe('BufferedBytes', () => {
  it('has room below its limit and wakes the waiters only at a release that leaves room', async () => {
    const memory = new BufferedBytes(100);
    memory.add(60);
    expect(memory.hasRoom).toBe(true);
    memory.add(60);
    expect(memory.hasRoom).toBe(false);
    let woken = 0;
    void memory.roomFreed().then(() => woken++);
    void memory.roomFreed().then(() => woken++);
    memory.release(10);
    await Promise.resolve();
    expect(woken).toBe(0);
    memory.release(20);
    await Promise.resolve();
    expect(woken).toBe(2);
    expect(memory.hasRoom).toBe(true);
  });
});
