/**
 * Backpressure on send(): the record bytes sealed or gathering but not yet answered, against
 * maxBufferedBytes. A send waits for room before its records join batches, so a producer
 * faster than its brokers holds a bounded amount of memory.
 */
export class BufferedBytes {
  private bytes = 0;
  private roomWaiters: Array<() => void> = [];

  constructor(private readonly maxBytes: number) {}

  get hasRoom(): boolean {
    return this.bytes < this.maxBytes;
  }

  add(bytes: number): void {
    this.bytes += bytes;
  }

  /** Bytes whose batch was answered or given up; wakes the sends waiting for room once there is some. */
  release(bytes: number): void {
    this.bytes -= bytes;
    if (this.bytes < this.maxBytes) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      waiters.forEach((wake) => wake());
    }
  }

  /** Resolves at the next release that leaves room (which a send waiting behind others may have taken again). */
  roomFreed(): Promise<void> {
    return new Promise<void>((r) => this.roomWaiters.push(r));
  }
}
