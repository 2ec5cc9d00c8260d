/** Bytes a throttled job may run ahead of its rate, in milliseconds' worth. */
const BURST_MS = 100;

/**
 * Caps the bytes per second of a background job (the log cleaner) so that it leaves the disk to
 * appends: the job calls `take` before each read or write and waits while it is ahead of the
 * rate. Idle time earns no credit beyond a short burst. One throttle may serve every log of a broker.
 */
export class IoThrottle {
  private freeAt = 0;

  /** `bytesPerSecond` <= 0 or not finite: no cap. */
  constructor(readonly bytesPerSecond: number) {}

  async take(bytes: number): Promise<void> {
    if (!(this.bytesPerSecond > 0) || !Number.isFinite(this.bytesPerSecond)) return;
    const now = Date.now();
    this.freeAt = Math.max(this.freeAt, now - BURST_MS) + (bytes / this.bytesPerSecond) * 1000;
    const wait = this.freeAt - now - BURST_MS;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
