import { Syncer } from '../src/syncer';

describe('Syncer (group commit)', () => {
  function controlledSync() {
    const pending: (() => void)[] = [];
    let calls = 0;
    const syncer = new Syncer(() => {
      calls++;
      return new Promise<void>((resolve) => pending.push(resolve));
    });
    return { syncer, pending, calls: () => calls };
  }

  it('lets callers that arrive during a sync share the next one', async () => {
    const { syncer, pending, calls } = controlledSync();
    const first = syncer.sync();
    const waiters = Array.from({ length: 8 }, () => syncer.sync());
    expect(calls()).toBe(1);
    pending.shift()!();
    await first;
    expect(calls()).toBe(2);
    pending.shift()!();
    await Promise.all(waiters);
    expect(calls()).toBe(2);
  });

  it('never resolves a caller with a sync that started before it asked', async () => {
    const { syncer, pending } = controlledSync();
    void syncer.sync();
    let late = false;
    const lateSync = syncer.sync().then(() => (late = true));
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(late).toBe(false);
    pending.shift()!();
    await lateSync;
    expect(late).toBe(true);
  });

  it('rejects every caller of a failed sync', async () => {
    const syncer = new Syncer(() => Promise.reject(new Error('EIO')));
    await expect(Promise.all([syncer.sync(), syncer.sync()])).rejects.toThrow('EIO');
  });
});
