import type { Preallocation } from './block-reserver';

/** The window never shrinks below this, so a new segment's first appends are covered too. */
export const MIN_AHEAD_BYTES = 1024 * 1024;

/**
 * Keeps disk blocks reserved past the end of the segment taking appends, so that appends write
 * into blocks the filesystem has already allocated.
 *
 * Why: ext4 allocates a file's blocks when it writes dirty pages back, and a write() extending the
 * file waits while an fdatasync of it is allocating. Under flush=interval at 160 MB/s such waits
 * took 26 to 303 ms on this machine's disk, on the thread that answers producers; into reserved
 * blocks the same writes took at most a few ms.
 *
 * The window grows with the segment, from MIN_AHEAD_BYTES up to maxAheadBytes, and never reaches
 * past the segment's size limit, so a quiet partition reserves little and a segment rolled for
 * size has next to nothing left over. One request runs at a time; the next goes out once less
 * than half the window is left.
 */
export class ReserveAhead {
  private reservedEnd: number;
  private pending: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly preallocation: Preallocation,
    private readonly path: string,
    size: number,
    private readonly sizeLimit: number,
  ) {
    this.reservedEnd = size;
  }

  /** After an append brought the segment to `size` bytes. */
  grewTo(size: number): void {
    if (this.stopped || this.pending !== null) return;
    const window = Math.min(this.preallocation.maxAheadBytes, Math.max(MIN_AHEAD_BYTES, size));
    if (this.reservedEnd - size >= window / 2) return;
    const from = Math.max(this.reservedEnd, size);
    const to = Math.min(size + window, this.sizeLimit);
    if (to - from < window / 2) return;
    this.pending = this.preallocation.reserver.reserve(this.path, from, to - from).then((reserved) => {
      this.pending = null;
      if (reserved) this.reservedEnd = to;
      // A filesystem that refused once (no fallocate, no space) is not asked again for this segment.
      else this.stopped = true;
    });
  }

  /** Asks for nothing more; resolves once no request is under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pending;
  }
}
