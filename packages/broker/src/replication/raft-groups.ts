import type { Message } from '@gregor/raft';
import type { ReplicatedPartition } from './replicated-partition';
import type { Ticker } from './ticker';

/**
 * Every Raft group hosted on this broker, driven by one periodic task on the injected ticker: a
 * broker with thousands of partitions runs one interval, not one per group. Messages from peers
 * are routed here by name.
 */
export class RaftGroups {
  private readonly groups = new Map<string, ReplicatedPartition>();
  private stopTicking: (() => void) | null = null;

  constructor(
    private readonly tickMs: number,
    private readonly ticker: Ticker,
  ) {}

  add(replica: ReplicatedPartition): void {
    this.groups.set(replica.group, replica);
  }

  remove(group: string): void {
    this.groups.get(group)?.stop();
    this.groups.delete(group);
  }

  get(group: string): ReplicatedPartition | undefined {
    return this.groups.get(group);
  }

  all(): IterableIterator<ReplicatedPartition> {
    return this.groups.values();
  }

  /** Steps a peer's message into its group; messages for groups this broker does not host are dropped. */
  deliver(group: string, message: Message): void {
    this.groups.get(group)?.step(message);
  }

  /** What became of a snapshot a group's leader sent to `to` (see PeerTransport). */
  reportSnapshot(group: string, to: number, sent: boolean): void {
    this.groups.get(group)?.reportSnapshot(to, sent);
  }

  start(): void {
    if (this.stopTicking) return;
    this.stopTicking = this.ticker.every(this.tickMs, () => {
      for (const replica of this.groups.values()) replica.tick();
    });
  }

  stop(): void {
    this.stopTicking?.();
    this.stopTicking = null;
    for (const replica of this.groups.values()) replica.stop();
  }
}
