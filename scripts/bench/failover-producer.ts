import { RecordSender } from './systems';
import { sharedClockMs } from './task';

export interface FailoverSchedule {
  intervalMs: number;
  warmUpMs: number;
  settleMs: number;
  giveUpMs: number;
}

export interface FailoverObservation {
  /** From the kill until a record sent after it was first acknowledged; null if not within giveUpMs. */
  unavailableMs: number | null;
  maxAckGapMs: number;
  sent: number;
  acked: number;
  failed: number;
  /** Why the first failed send failed. */
  firstFailure?: string;
  /** From the first send to the end of the run. */
  seconds: number;
}

/**
 * Sends one record every `intervalMs` through a leader kill. After
 * `warmUpMs` of sending, with acknowledgements coming back, it calls
 * `ready`, which kills the leader and resolves with the kill time
 * (sharedClockMs). It goes on sending until a record sent after the kill
 * is acknowledged (the first such one, unless its send failed), then
 * `settleMs` more, then waits for the
 * outstanding acknowledgements; a run where produce does not resume within
 * `giveUpMs` of the kill ends there, outstanding records left behind.
 */
export function produceThroughFailover(sender: RecordSender, value: Buffer, schedule: FailoverSchedule, ready: () => Promise<number>): Promise<FailoverObservation> {
  const { intervalMs, warmUpMs, settleMs, giveUpMs } = schedule;
  // Room for a slow warm-up and a slow kill as well as the longest run.
  const capacity = Math.ceil((warmUpMs + 2 * giveUpMs + settleMs) / intervalMs) + 1;
  const sentAt = new Float64Array(capacity);
  const ackedAt = new Float64Array(capacity).fill(NaN);
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let killedAt = NaN;
  let resumedAt = NaN;
  let stopSendingAt = Infinity;
  let readyCalled = false;
  let done = false;
  const start = sharedClockMs();

  return new Promise((resolve, reject) => {
    const finish = (now: number): void => {
      done = true;
      const acks = Array.from(ackedAt.subarray(0, sent)).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
      let maxAckGapMs = 0;
      for (let i = 1; i < acks.length; i++) maxAckGapMs = Math.max(maxAckGapMs, acks[i] - acks[i - 1]);
      resolve({
        unavailableMs: Number.isNaN(resumedAt) ? null : resumedAt - killedAt,
        maxAckGapMs,
        sent,
        acked,
        failed,
        ...(firstFailure === undefined ? {} : { firstFailure }),
        seconds: (now - start) / 1000,
      });
    };

    /** Decides, after any send, acknowledgement or timer, whether the run has resumed or is over. */
    const check = (now: number): void => {
      if (done || Number.isNaN(killedAt)) return;
      if (Number.isNaN(resumedAt)) {
        // The earliest acknowledgement of a record sent after the kill: usually the first such record's, unless its send failed.
        let earliest = Infinity;
        for (let i = sent - 1; i >= 0 && sentAt[i] > killedAt; i--) {
          if (ackedAt[i] < earliest) earliest = ackedAt[i];
        }
        if (earliest < Infinity) {
          resumedAt = earliest;
          stopSendingAt = resumedAt + settleMs;
        }
      }
      if (Number.isNaN(resumedAt) && now - killedAt > giveUpMs) return finish(now);
      if (now >= stopSendingAt && acked + failed === sent) return finish(now);
      if (now - stopSendingAt > giveUpMs) finish(now);
    };

    const tick = (): void => {
      if (done) return;
      const now = sharedClockMs();
      while (sent < capacity && now < stopSendingAt && start + sent * intervalMs <= now) {
        const i = sent++;
        sentAt[i] = now;
        sender.send(value).then(
          () => {
            ackedAt[i] = sharedClockMs();
            acked++;
            check(ackedAt[i]);
          },
          (err: unknown) => {
            failed++;
            firstFailure ??= String(err);
            check(sharedClockMs());
          },
        );
      }
      if (!readyCalled && acked > 0 && now - start >= warmUpMs) {
        readyCalled = true;
        ready().then((at) => {
          killedAt = at;
          check(sharedClockMs());
        }, reject);
      }
      check(now);
      if (!done) setTimeout(tick, Math.max(1, start + sent * intervalMs - sharedClockMs()));
    };
    tick();
  });
}
