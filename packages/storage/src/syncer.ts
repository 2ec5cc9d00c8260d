interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: every caller waiting for durability shares one fsync. A caller arriving while
 * a sync runs waits for the next one, which starts as soon as the current one ends and covers
 * everyone who arrived meanwhile.
 */
export class Syncer {
  private waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly syncAll: () => Promise<void>) {}

  /** Resolves once a sync that started after this call has completed. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.run();
    });
  }

  private run(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    this.syncAll().then(
      () => this.finish(batch, null),
      (err: unknown) => this.finish(batch, err ?? new Error('sync failed')),
    );
  }

  private finish(batch: Waiter[], err: unknown): void {
    this.running = false;
    for (const waiter of batch) {
      if (err === null) waiter.resolve();
      else waiter.reject(err);
    }
    if (this.waiting.length > 0) this.run();
  }
}
