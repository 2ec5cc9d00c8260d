import { VirtualClock, advanceUntil, quietened } from '@gregor/testkit';

describe('VirtualClock', () => {
  it('runs periodic tasks only as time is advanced, earliest first, until cancelled', () => {
    const clock = new VirtualClock(1000);
    const ran: string[] = [];
    const stopFast = clock.every(10, () => ran.push(`fast@${clock.now()}`));
    clock.every(25, () => ran.push(`slow@${clock.now()}`));
    expect(ran).toEqual([]);
    clock.advance(30);
    expect(ran).toEqual(['fast@1010', 'fast@1020', 'slow@1025', 'fast@1030']);
    expect(clock.now()).toBe(1030);
    stopFast();
    clock.advance(25);
    expect(ran.slice(4)).toEqual(['slow@1050']);
    expect(clock.now()).toBe(1055);
  });

  it('runs tasks due at the same moment in the order they were added', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.every(5, () => ran.push('a'));
    clock.every(5, () => ran.push('b'));
    clock.advance(10);
    expect(ran).toEqual(['a', 'b', 'a', 'b']);
  });
});

describe('advanceUntil', () => {
  it('settles before each check and moves time one step only while the condition fails', async () => {
    const clock = new VirtualClock();
    let ticks = 0;
    clock.every(5, () => ticks++);
    const seen: number[] = [];
    const value = await advanceUntil(clock, () => (ticks >= 3 ? 'done' : null), {
      stepMs: 5,
      maxMs: 100,
      settle: async () => {
        seen.push(clock.now());
      },
      what: 'three ticks',
    });
    expect(value).toBe('done');
    expect(seen).toEqual([0, 5, 10, 15]);
    expect(clock.now()).toBe(15);
  });

  it('gives up after its virtual deadline, naming what it waited for', async () => {
    const clock = new VirtualClock();
    const settle = (): Promise<void> => Promise.resolve();
    await expect(advanceUntil(clock, () => false, { stepMs: 10, maxMs: 50, settle, what: 'never' })).rejects.toThrow('no never after 50 ms of virtual time');
    expect(clock.now()).toBe(50);
  });
});

describe('quietened', () => {
  it('resolves once the system is quiet, letting the event loop turn meanwhile', async () => {
    let pending = 3;
    const drain = (): void => {
      if (--pending > 0) setImmediate(drain);
    };
    setImmediate(drain);
    await quietened(() => pending === 0, 5000, 'the queue');
    expect(pending).toBe(0);
  });

  it('rejects when it never quiets', async () => {
    await expect(quietened(() => false, 20, 'the queue')).rejects.toThrow('the queue did not settle within 20 ms');
  });
});
