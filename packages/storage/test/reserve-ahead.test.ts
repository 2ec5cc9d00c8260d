import type { BlockReserver } from '../src/block-reserver';
import { MIN_AHEAD_BYTES, ReserveAhead } from '../src/reserve-ahead';

const MiB = 1024 * 1024;

/** Records requests and answers them when the test says. */
class ScriptedReserver implements BlockReserver {
  readonly requests: { offset: number; length: number; answer: (reserved: boolean) => void }[] = [];
  reserve(_path: string, offset: number, length: number): Promise<boolean> {
    return new Promise((answer) => this.requests.push({ offset, length, answer }));
  }
  async answerLast(reserved: boolean): Promise<void> {
    this.requests[this.requests.length - 1].answer(reserved);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setUp(maxAheadBytes = 64 * MiB, sizeLimit = 1024 * MiB) {
  const reserver = new ScriptedReserver();
  const ahead = new ReserveAhead({ reserver, maxAheadBytes }, '/log', 0, sizeLimit);
  return { reserver, ahead, spans: () => reserver.requests.map((r) => [r.offset, r.offset + r.length]) };
}

describe('ReserveAhead', () => {
  it('reserves the minimum window from the end of a new segment on its first append', () => {
    const { ahead, spans } = setUp();
    ahead.grewTo(4096);
    expect(spans()).toEqual([[4096, 4096 + MIN_AHEAD_BYTES]]);
  });

  it('sends one request at a time, and the next once less than half the window is left', async () => {
    const { reserver, ahead, spans } = setUp();
    ahead.grewTo(100);
    ahead.grewTo(MIN_AHEAD_BYTES);
    expect(spans()).toHaveLength(1);
    await reserver.answerLast(true);
    ahead.grewTo(MIN_AHEAD_BYTES / 2);
    expect(spans()).toHaveLength(1);
    ahead.grewTo(MIN_AHEAD_BYTES / 2 + 200);
    expect(spans()).toEqual([
      [100, 100 + MIN_AHEAD_BYTES],
      [100 + MIN_AHEAD_BYTES, MIN_AHEAD_BYTES / 2 + 200 + MIN_AHEAD_BYTES],
    ]);
  });

  it('grows the window with the segment up to maxAheadBytes', async () => {
    const { reserver, ahead, spans } = setUp(16 * MiB);
    ahead.grewTo(4 * MiB);
    await reserver.answerLast(true);
    ahead.grewTo(100 * MiB);
    expect(spans()).toEqual([
      [4 * MiB, 8 * MiB],
      [100 * MiB, 116 * MiB],
    ]);
  });

  it('never reserves past the segment size limit, nor a sliver before it', async () => {
    const { reserver, ahead, spans } = setUp(64 * MiB, 80 * MiB);
    ahead.grewTo(40 * MiB);
    await reserver.answerLast(true);
    ahead.grewTo(70 * MiB);
    expect(spans()).toEqual([[40 * MiB, 80 * MiB]]);
  });

  it('asks no more once a request is refused', async () => {
    const { reserver, ahead, spans } = setUp();
    ahead.grewTo(10);
    await reserver.answerLast(false);
    ahead.grewTo(5 * MiB);
    expect(spans()).toHaveLength(1);
  });

  it('stops: waits for the request under way, then asks no more', async () => {
    const { reserver, ahead, spans } = setUp();
    ahead.grewTo(10);
    let stopped = false;
    const stopping = ahead.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    await reserver.answerLast(true);
    await stopping;
    ahead.grewTo(MIN_AHEAD_BYTES);
    expect(spans()).toHaveLength(1);
  });
});
