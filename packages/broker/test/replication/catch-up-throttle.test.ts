import type { Message } from '@gregor/raft';
import { CatchUpThrottle } from '../../src/replication/catch-up-throttle';

function append(to: number, bytes: number, index = 0): Message {
  return { type: 'append', from: 1, to, term: 1, index, logTerm: 0, commit: 0, entries: [{ term: 1, firstIndex: 1, lastIndex: 1, type: 'normal', data: new Uint8Array(bytes) }] };
}

const heartbeat = (to: number): Message => ({ type: 'heartbeat', from: 1, to, term: 1, index: 0, logTerm: 0, commit: 0 });

describe('CatchUpThrottle', () => {
  const learners = new Set([4]);
  const isLearner = (id: number) => learners.has(id);

  it('holds appends to learners past the allowance, in order, and lets everything else through', () => {
    let now = 0;
    const throttle = new CatchUpThrottle(10_000, () => now);
    now = 1000; // a full burst saved: 2000 bytes
    const sent = throttle.admit([append(4, 3000), append(4, 100), heartbeat(4), append(2, 50_000)], isLearner);
    // The first goes into debt; the second waits behind it; heartbeats and voters' appends are never held.
    expect(sent.map((m) => `${m.type}->${m.to}`)).toEqual(['append->4', 'heartbeat->4', 'append->2']);
    expect(throttle.release()).toEqual([]);
    now += 110; // +1100 bytes pays the debt of 3064 - 2000 (a message counts its framing too)
    expect(throttle.release().map((m) => m.entries![0].data.length)).toEqual([100]);
  });

  it('keeps one copy of an append the leader resends while probing, in its place', () => {
    let now = 0;
    const throttle = new CatchUpThrottle(10_000, () => now);
    throttle.admit([append(4, 5000, 10)], isLearner);
    for (let i = 0; i < 100; i++) throttle.admit([append(4, 1000, 20), append(4, 2000, 10)], isLearner);
    expect(throttle.drain().map((m) => [m.index, m.entries![0].data.length])).toEqual([
      [20, 1000],
      [10, 2000],
    ]);
  });

  it('averages to its rate over a long copy', () => {
    let now = 0;
    const throttle = new CatchUpThrottle(1_000_000, () => now);
    let sentBytes = 0;
    const count = (ms: readonly Message[]) => ms.forEach((m) => (sentBytes += m.entries?.[0].data.length ?? 0));
    for (let tick = 0; tick < 100; tick++) {
      count(throttle.admit([append(4, 64 * 1024), append(4, 64 * 1024)], isLearner));
      now += 100;
      count(throttle.release());
    }
    // 10 s at 1 MB/s, give or take one message and the burst.
    expect(sentBytes).toBeGreaterThan(9_500_000);
    expect(sentBytes).toBeLessThan(10_400_000);
  });

  it('hands back everything held when lifted', () => {
    let now = 0;
    const throttle = new CatchUpThrottle(1000, () => now);
    throttle.admit([append(4, 5000), append(4, 5000)], isLearner);
    now += 1;
    expect(throttle.drain()).toHaveLength(1);
  });
});
