/**
 * Appends sent to one follower and not yet acknowledged, bounded by count and
 * by bytes: the leader stops sending when either bound is reached.
 */
export class Inflights {
  private readonly lastIndexes: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly maxCount: number, private readonly maxBytes: number) {}

  add(lastIndex: number, size: number): void {
    this.lastIndexes.push(lastIndex);
    this.sizes.push(size);
    this.bytes += size;
  }

  /** The follower acknowledged everything up to index. */
  freeLE(index: number): void {
    while (this.head < this.lastIndexes.length && this.lastIndexes[this.head] <= index) {
      this.bytes -= this.sizes[this.head];
      this.head++;
    }
    if (this.head === this.lastIndexes.length) this.reset();
    else if (this.head > 64) {
      this.lastIndexes.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }

  freeFirstOne(): void {
    if (this.count() > 0) this.freeLE(this.lastIndexes[this.head]);
  }

  count(): number {
    return this.lastIndexes.length - this.head;
  }

  full(): boolean {
    return this.count() >= this.maxCount || this.bytes >= this.maxBytes;
  }

  reset(): void {
    this.lastIndexes.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.bytes = 0;
  }
}
