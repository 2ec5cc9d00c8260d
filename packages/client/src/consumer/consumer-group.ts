import { GregorError } from '../errors';
import { AutoCommit } from './auto-commit';
import type { Clock } from './clock';
import type { ConsumedOffsets } from './consumed-offsets';
import { groupErrorAction } from './group-errors';
import { GroupMembership, type MembershipOptions } from './group-membership';
import type { GroupRpc } from './group-rpc';
import { notifyLost, type RebalanceListener } from './rebalance-listener';
import type { SubscriptionMatcher } from './subscription-matcher';
import type { TopicPartition, TopicPartitionOffset } from './topic-partitions';

/** What a subscribed consumer does when its assignment changes. */
export interface GroupConsumer {
  addPartitions(partitions: TopicPartition[]): Promise<void>;
  removePartitions(partitions: TopicPartition[]): void;
  fail(error: GregorError): void;
}

export interface ConsumerGroupOptions extends MembershipOptions {
  /** Auto-commit interval, ms; null commits only when the application does. */
  autoCommitIntervalMs: number | null;
}

export interface ConsumerGroupDeps {
  rpc: GroupRpc;
  clock: Clock;
  matcher: SubscriptionMatcher;
  listener: RebalanceListener;
  partitionCounts(): Promise<Map<string, number>>;
  consumer: GroupConsumer;
  consumed: ConsumedOffsets;
}

/**
 * A subscribed consumer's group side: membership moves partitions in and out of the consumer,
 * around the application's listener, and auto-commit commits before partitions leave.
 */
export class ConsumerGroup {
  readonly membership: GroupMembership;
  private readonly autoCommit: AutoCommit | null;
  private closing = false;

  constructor(options: ConsumerGroupOptions, private readonly deps: ConsumerGroupDeps) {
    const { consumer, listener, consumed } = deps;
    this.membership = new GroupMembership(options, deps.matcher, deps.rpc, {
      partitionCounts: deps.partitionCounts,
      assigned: async (partitions) => {
        try {
          await consumer.addPartitions(partitions);
        } catch (err) {
          // No start offset for them (offsets unreadable past every retry): the application hears of it, membership goes on.
          consumer.fail(GregorError.from(err));
          return;
        }
        await this.tell(() => listener.onAssigned?.(partitions));
      },
      revoked: async (partitions) => {
        await this.commitConsumed();
        await this.tell(() => listener.onRevoked?.(partitions));
        this.remove(partitions);
      },
      lost: async (partitions) => {
        await this.tell(() => notifyLost(listener, partitions));
        this.remove(partitions);
      },
      failed: (error) => consumer.fail(error),
    }, deps.clock);
    this.autoCommit = options.autoCommitIntervalMs === null
      ? null
      : new AutoCommit(
        deps.clock,
        options.autoCommitIntervalMs,
        // Closing: the application is done with everything it was handed.
        () => (this.closing ? consumed.all() : consumed.safe()),
        (offsets) => this.commit(offsets),
        (err) => {
          const error = GregorError.from(err);
          // Membership trouble is membership's to handle (the member rejoins); the rest the application sees.
          if (groupErrorAction(error) === 'other') consumer.fail(error);
        },
      );
  }

  start(): void {
    this.membership.start();
    this.autoCommit?.start();
  }

  commit(offsets: TopicPartitionOffset[]): Promise<void> {
    return this.membership.commit(offsets);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.autoCommit?.stop();
    await this.membership.close();
  }

  /** Commit on revoke: what the application processed on these partitions is not read again by their next owner. */
  private async commitConsumed(): Promise<void> {
    try {
      await this.autoCommit?.commitNow();
    } catch {
      // The revoke goes on regardless; the next owner re-reads what this commit would have covered.
    }
  }

  private remove(partitions: TopicPartition[]): void {
    this.deps.consumer.removePartitions(partitions);
    this.deps.consumed.forget(partitions);
    this.autoCommit?.forget(partitions);
  }

  /** A listener that throws stops the consumer: the application's iterator rethrows it. */
  private async tell(call: () => void | Promise<void>): Promise<void> {
    try {
      await call();
    } catch (err) {
      this.deps.consumer.fail(GregorError.from(err));
    }
  }
}
