/**
 * How far a log is durable: the offset after the last batch that an fsync covered and that no
 * truncation has removed since. Whatever acknowledges a write reads this, never the log end,
 * which moves as soon as the bytes are written.
 */
export class DurableOffset {
  private listener: ((offset: number) => void) | null = null;

  constructor(private current: number) {}

  get offset(): number {
    return this.current;
  }

  /** `listener` hears every advance; one owner (the replica acknowledging writes). */
  watch(listener: (offset: number) => void): void {
    this.listener = listener;
  }

  /** A sync covered everything written before `end`, which no truncation has cut since. */
  syncedTo(end: number): void {
    if (end <= this.current) return;
    this.current = end;
    this.listener?.(end);
  }

  /** The log now ends at `end`: bytes written after the cut are not covered by earlier syncs. */
  cutTo(end: number): void {
    this.current = Math.min(this.current, end);
  }

  /** The log was emptied to restart at `start`: there is nothing before it left to lose. */
  resetTo(start: number): void {
    this.current = start;
  }
}
