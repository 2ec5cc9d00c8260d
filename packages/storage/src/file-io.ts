import * as fs from 'node:fs';

/** Positional read on the libuv pool, so a cold page does not stall the event loop. */
export function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

/**
 * Writes `chunks` one after another from `position`, in one writev where the kernel takes them
 * all, so batches that arrive in separate buffers are not copied into one first.
 */
export function writeAllAt(fd: number, chunks: readonly Buffer[], position: number): void {
  let pending = chunks;
  let at = position;
  while (pending.length > 0) {
    let written = pending.length === 1 ? fs.writeSync(fd, pending[0], 0, pending[0].length, at) : fs.writevSync(fd, pending, at);
    at += written;
    let done = 0;
    while (done < pending.length && written >= pending[done].length) written -= pending[done++].length;
    pending = done < pending.length ? [pending[done].subarray(written), ...pending.slice(done + 1)] : [];
  }
}

/** Told each log fdatasync's duration in seconds (the broker's metrics); one per process. */
let syncObserver: ((seconds: number) => void) | null = null;
let syncsInFlight = 0;

export function observeSyncs(observer: ((seconds: number) => void) | null): void {
  syncObserver = observer;
}

/** Log fdatasyncs started and not yet finished, in this process. */
export function pendingSyncs(): number {
  return syncsInFlight;
}

export function fdatasync(fd: number): Promise<void> {
  const started = performance.now();
  syncsInFlight++;
  return new Promise((resolve, reject) => {
    fs.fdatasync(fd, (err) => {
      syncsInFlight--;
      syncObserver?.((performance.now() - started) / 1000);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Makes a created, renamed or deleted directory entry durable. */
export function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** syncDirectory on the libuv pool, for a caller whose next steps do not wait on it; a failure is only a sync not made. */
export function syncDirectoryInBackground(dir: string): void {
  fs.open(dir, 'r', (openErr, fd) => {
    if (openErr) return;
    fs.fsync(fd, () => fs.close(fd, () => undefined));
  });
}
