import { SystemTarget } from './systems';

/** What one worker process measures; plain data passed as JSON on its command line. */
export type WorkerTask =
  | { kind: 'produce'; target: SystemTarget; stream: string; records: number; recordBytes: number; window: number; seed: number }
  | {
      kind: 'latency';
      target: SystemTarget;
      stream: string;
      /** Records timed, after `warmUpRecords` sent on the same schedule but not timed. */
      records: number;
      warmUpRecords: number;
      recordBytes: number;
      ratePerSec: number;
      seed: number;
    }
  | { kind: 'consume'; target: SystemTarget; stream: string; records: number; recordBytes: number }
  | {
      kind: 'failover';
      target: SystemTarget;
      stream: string;
      /** One record every this many ms, throughout. */
      intervalMs: number;
      recordBytes: number;
      /** Sending this long, with acknowledgements coming back, before the worker says it is ready for the kill. */
      warmUpMs: number;
      /** Sending goes on this long after produce resumed. */
      settleMs: number;
      /** Produce that has not resumed this long after the kill counts as not resumed. */
      giveUpMs: number;
      seed: number;
    };

/** What a worker reports back over IPC. */
export interface WorkerResult {
  records: number;
  seconds: number;
  /** Value bytes sent or received. */
  bytes: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  /** CPU the worker used while timed (throughput runs). */
  clientCpuMs?: number;
  /** CPU the server processes used during the worker's whole run, where /proc tells. */
  serverCpuMs?: number;
  /** Failover: ms from the kill until a record sent after it was first acknowledged; null if that did not happen within giveUpMs. */
  unavailableMs?: number | null;
  /** Failover: the longest time between two consecutive acknowledgements, ms. */
  maxAckGapMs?: number;
  /** Failover: sends that failed rather than being acknowledged. */
  failedSends?: number;
  firstFailure?: string;
}

/** Worker to driver over IPC. A failover worker says `ready` once it sends steadily, then waits for a KillNotice. */
export type WorkerMessage = { kind: 'ready' } | { kind: 'result'; result: WorkerResult };

/** Driver to a failover worker: when the leader was killed, on the clock of sharedClockMs(). */
export interface KillNotice {
  kind: 'killed';
  atMs: number;
}

/**
 * Milliseconds on a clock the driver and worker processes share: the wall
 * clock at process start plus monotonic time since, so a wall-clock step
 * during a run does not move it.
 */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}
