/**
 * send() calls still fetching metadata or the producer id, or waiting for room: each joins its
 * records to batches only after the one before it, and later calls wait behind them, so records
 * join batches in send order.
 */
export class WaitingSends {
  private readonly joining = new Set<Promise<void>>();
  private last: Promise<void> = Promise.resolve();

  get none(): boolean {
    return this.joining.size === 0;
  }

  /**
   * Prepares alongside the sends before it (they share one metadata lookup and one producer id
   * request), and joins after them.
   */
  async add<P, T>(prepare: () => Promise<P>, join: (prepared: P) => Promise<T>): Promise<T> {
    let joined!: () => void;
    const joining = new Promise<void>((resolve) => (joined = resolve));
    const previous = this.last;
    this.last = joining;
    this.joining.add(joining);
    let sending: Promise<T>;
    try {
      const [prepared] = await Promise.allSettled([prepare(), previous]);
      if (prepared.status === 'rejected') throw prepared.reason;
      sending = join(prepared.value);
    } finally {
      this.joining.delete(joining);
      joined();
    }
    return sending;
  }

  /** Resolves once the sends waiting now have joined their records to batches (later ones may wait by then). */
  joined(): Promise<void[]> {
    return Promise.all([...this.joining]);
  }
}
