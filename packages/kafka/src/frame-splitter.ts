import { KafkaWireError } from './errors';

/** Kafka's socket.request.max.bytes default: a larger size prefix closes the connection. */
export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

const SIZE_BYTES = 4;

/**
 * Cuts a connection's byte stream into Kafka frames (an int32 size, then that many bytes). It
 * checks the size before it buffers the body, so a prefix of 2 GiB costs nothing but the error,
 * and it holds at most one partial frame.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private expected = -1;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes buffered toward the next frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Adds what the socket read; returns the frames it completed, bodies without their size. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.pendingBytes < SIZE_BYTES) break;
        const size = this.consume(SIZE_BYTES).readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) {
          throw new KafkaWireError('FRAME_TOO_LARGE', `frame of ${size} bytes; this listener takes at most ${this.maxFrameBytes}`);
        }
        this.expected = size;
      }
      if (this.pendingBytes < this.expected) break;
      frames.push(this.consume(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  private consume(n: number): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const taken = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return taken;
  }
}

/** A frame for the wire: the int32 size, then the chunks. */
export function frame(chunks: readonly Buffer[]): Buffer[] {
  const size = Buffer.allocUnsafe(SIZE_BYTES);
  size.writeInt32BE(chunks.reduce((sum, c) => sum + c.length, 0), 0);
  return [size, ...chunks];
}
