import { VirtualClock } from '@gregor/testkit';
import { RaftGroups } from '../../src/replication/raft-groups';
import type { ReplicatedPartition } from '../../src/replication/replicated-partition';
import { realTicker } from '../../src/replication/ticker';

/** A group that counts its ticks. */
function countingGroup(group: string): { replica: ReplicatedPartition; ticks: () => number } {
  let ticks = 0;
  const replica = { group, tick: () => ticks++, stop: () => undefined } as unknown as ReplicatedPartition;
  return { replica, ticks: () => ticks };
}

describe('RaftGroups', () => {
  it('ticks every group it hosts on the ticker it was given, and no more once stopped', () => {
    const clock = new VirtualClock();
    const groups = new RaftGroups(10, clock);
    const a = countingGroup('a/0');
    const b = countingGroup('b/0');
    groups.add(a.replica);
    groups.add(b.replica);
    groups.start();
    clock.advance(35);
    expect([a.ticks(), b.ticks()]).toEqual([3, 3]);
    groups.stop();
    clock.advance(100);
    expect([a.ticks(), b.ticks()]).toEqual([3, 3]);
  });
});

describe('realTicker', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('runs a task on a timer interval until cancelled, and reads the system clock', () => {
    let runs = 0;
    const cancel = realTicker.every(50, () => runs++);
    jest.advanceTimersByTime(120);
    expect(runs).toBe(2);
    cancel();
    jest.advanceTimersByTime(500);
    expect(runs).toBe(2);
    expect(realTicker.now()).toBe(1_000_620);
  });
});
