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
  | { kind: 'consume'; target: SystemTarget; stream: string; records: number; recordBytes: number };

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
  /** CPU the server process used during the worker's whole run, where /proc tells. */
  serverCpuMs?: number;
}
