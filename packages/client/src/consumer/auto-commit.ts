import type { Clock, Timer } from './clock';
import { tpKey, type TopicPartition, type TopicPartitionOffset } from './topic-partitions';

/**
 * Commits, every interval and when asked, the positions that moved since the last commit;
 * which positions may be committed is the source's business.
 */
export class AutoCommit {
  private readonly committed = new Map<string, number>();
  private timer: Timer | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly source: () => TopicPartitionOffset[],
    private readonly commit: (offsets: TopicPartitionOffset[]) => Promise<void>,
    /** A failed interval commit; the next interval tries again. */
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= this.clock.after(this.intervalMs, () => void this.tick());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Commits run one at a time, each taking the positions as they are when it starts: an interval
   * commit still retrying toward a coordinator that died could otherwise land after a newer one
   * (the commit before a revoke) and move the group's offset backwards.
   */
  commitNow(): Promise<void> {
    const next = this.inFlight.catch(() => undefined).then(() => this.commitMoved());
    this.inFlight = next;
    return next;
  }

  private async commitMoved(): Promise<void> {
    const due = this.source().filter((o) => this.committed.get(tpKey(o)) !== o.offset);
    if (due.length === 0) return;
    await this.commit(due);
    for (const o of due) this.committed.set(tpKey(o), o.offset);
  }

  /** Revoked partitions start afresh with their next owner's commits. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.committed.delete(tpKey(tp));
  }

  private async tick(): Promise<void> {
    try {
      await this.commitNow();
    } catch (err) {
      this.onError(err);
    }
    if (this.timer) this.timer = this.clock.after(this.intervalMs, () => void this.tick());
  }
}
