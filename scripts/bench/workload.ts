import { RecordSender } from './systems';

/**
 * Sends `count` copies of `value` as fast as the system takes them, keeping
 * at most `window` records unacknowledged (refilled once half are back).
 * Resolves with the seconds from the first send to the last acknowledgement.
 */
export async function produceAtFullSpeed(sender: RecordSender, value: Buffer, count: number, window: number): Promise<number> {
  let inFlight = 0;
  let wakeAt = 0;
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const settled = (): void => {
    inFlight--;
    if (wake !== null && inFlight <= wakeAt) {
      const resume = wake;
      wake = null;
      resume();
    }
  };
  const failed = (err: unknown): void => {
    failure ??= err;
    settled();
  };
  const waitUntilAtMost = (limit: number): Promise<void> => {
    wakeAt = limit;
    return new Promise((resolve) => (wake = resolve));
  };

  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    if (inFlight >= window) await waitUntilAtMost(window >> 1);
    if (failure !== null) throw failure;
    inFlight++;
    sender.send(value).then(settled, failed);
  }
  if (inFlight > 0) await waitUntilAtMost(0);
  if (failure !== null) throw failure;
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Sends one record at each time of `sendAtMs` (ms from the start) and
 * resolves with each record's acknowledgement latency, measured from its
 * scheduled time rather than from when it actually went out, so a stalled
 * system is charged for the records that queued up behind the stall; and
 * with when the last acknowledgement came (ms from the start).
 */
export function produceOnSchedule(sender: RecordSender, value: Buffer, sendAtMs: Float64Array): Promise<{ latencies: Float64Array; endMs: number }> {
  const count = sendAtMs.length;
  const latencies = new Float64Array(count);
  if (count === 0) return Promise.resolve({ latencies, endMs: 0 });
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let next = 0;
    let acked = 0;
    let failed = false;
    const sendDue = (): void => {
      if (failed) return;
      const now = performance.now() - start;
      while (next < count && sendAtMs[next] <= now) {
        const i = next++;
        sender.send(value).then(
          () => {
            const ackedAtMs = performance.now() - start;
            latencies[i] = ackedAtMs - sendAtMs[i];
            if (++acked === count) resolve({ latencies, endMs: ackedAtMs });
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
      if (next < count) setTimeout(sendDue, sendAtMs[next] - now);
    };
    sendDue();
  });
}
