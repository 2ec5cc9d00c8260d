/**
 * Full-size batch buffers kept for reuse once their batch is acknowledged.
 * A fresh 1 MiB buffer per batch is memory outside the JavaScript heap,
 * and allocating it at a few hundred batches a second made V8 run a full
 * garbage collection every ~150 ms, about half the producer's CPU.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly maxFree: number,
  ) {}

  acquire(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.bufferBytes);
  }

  /** Takes back a buffer from acquire() that nothing reads any more. */
  release(buffer: Buffer): void {
    if (buffer.length === this.bufferBytes && this.free.length < this.maxFree) this.free.push(buffer);
  }
}
