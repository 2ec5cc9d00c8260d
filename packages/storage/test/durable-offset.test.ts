import { LogSegment } from '../src/segment';
import { makeBatch, openLog, tempDir } from './helpers';

const INTERVAL = { flush: { kind: 'interval', intervalMs: 3_600_000, intervalBytes: 1 << 30 } } as const;

describe('durableOffset: what an fsync covered, not what was written', () => {
  it('moves only when a sync completes, and tells its listener', async () => {
    const log = await openLog(tempDir(), INTERVAL);
    const heard: number[] = [];
    log.onDurable((offset) => heard.push(offset));
    await log.append(makeBatch(3));
    expect([log.logEndOffset, log.durableOffset]).toEqual([3, 0]);
    await log.flush();
    expect([log.durableOffset, heard]).toEqual([3, [3]]);
    await log.close();
  });

  it('under flush=always lags the log end while the append waits for its fsync', async () => {
    const log = await openLog(tempDir());
    const appended = log.append(makeBatch(2));
    expect([log.logEndOffset, log.durableOffset]).toEqual([2, 0]);
    await appended;
    expect(log.durableOffset).toBe(2);
    await log.close();
  });

  it('falls back to a truncation, and a sync begun before the cut does not carry it past', async () => {
    const log = await openLog(tempDir(), INTERVAL);
    for (let i = 0; i < 3; i++) await log.append(makeBatch(2));
    await log.flush();
    await log.append(makeBatch(2));
    const inFlight = log.flush();
    await log.truncateTo(4);
    await log.append(makeBatch(2));
    await inFlight;
    expect([log.logEndOffset, log.durableOffset]).toEqual([6, 4]);
    await log.flush();
    expect(log.durableOffset).toBe(6);
    await log.close();
  });

  it('after an unclean stop starts at the recovery point, and the first flush fsyncs what was read back', async () => {
    const dir = tempDir();
    const log = await openLog(dir, INTERVAL);
    await log.append(makeBatch(2));
    // Left open on purpose: no clean-shutdown marker, and the recovery point never passed 0.
    const reopened = await openLog(dir, INTERVAL);
    expect([reopened.logEndOffset, reopened.durableOffset]).toEqual([2, 0]);
    const syncs = jest.spyOn(LogSegment.prototype, 'sync');
    await reopened.flush();
    expect([reopened.durableOffset, syncs.mock.calls.length]).toEqual([2, 1]);
    syncs.mockRestore();
    await reopened.close();
  });
});
