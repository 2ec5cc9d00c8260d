import { GroupMembership, type MembershipOptions } from '../../../src/consumer/group-membership';
import { SubscriptionMatcher } from '../../../src/consumer/subscription-matcher';
import type { TopicPartition } from '../../../src/consumer/topic-partitions';
import type { GregorError } from '../../../src/errors';
import type { FakeCoordinator } from './fake-coordinator';
import type { ManualClock } from './manual-clock';
import { eagerTestAssignor } from './test-assignors';

/** Short heartbeats so simulated time passes quickly; everything else as a consumer's defaults. */
export const TEST_MEMBERSHIP_OPTIONS: MembershipOptions = {
  group: 'g',
  sessionTimeoutMs: 10000,
  heartbeatIntervalMs: 100,
  rebalanceTimeoutMs: 60000,
  maxPollIntervalMs: 60000,
  metadataMaxAgeMs: 5000,
  assignors: [eagerTestAssignor],
  backoff: () => 50,
};

export const names = (tps: readonly TopicPartition[]): string[] => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort();

/** A membership with a host that only writes down what it is told, in one timeline shared by members. */
export class TestMember {
  readonly membership: GroupMembership;
  readonly failures: GregorError[] = [];
  private readonly owned = new Set<string>();

  constructor(
    readonly name: string,
    coordinator: FakeCoordinator,
    clock: ManualClock,
    readonly timeline: string[],
    options: Partial<MembershipOptions> & { topics?: string[] | RegExp; partitionCounts?: Map<string, number> } = {},
  ) {
    const partitionCounts = options.partitionCounts ?? new Map([['t', 4]]);
    const rpc = coordinator.rpc();
    this.membership = new GroupMembership(
      { ...TEST_MEMBERSHIP_OPTIONS, ...options },
      new SubscriptionMatcher(options.topics ?? ['t']),
      {
        ...rpc,
        join: (request) => {
          this.note('join');
          return rpc.join(request);
        },
      },
      {
        partitionCounts: async () => partitionCounts,
        assigned: async (tps) => {
          for (const n of names(tps)) this.owned.add(n);
          this.note(`assigned ${names(tps).join(' ')}`.trim());
        },
        revoked: async (tps) => {
          for (const n of names(tps)) this.owned.delete(n);
          this.note(`revoked ${names(tps).join(' ')}`);
        },
        lost: async (tps) => {
          for (const n of names(tps)) this.owned.delete(n);
          this.note(`lost ${names(tps).join(' ')}`);
        },
        failed: (error) => this.failures.push(error),
      },
      clock,
    );
  }

  start(): this {
    this.membership.start();
    return this;
  }

  /** What the host was given and not yet taken back. */
  partitions(): string[] {
    return [...this.owned].sort();
  }

  events(): string[] {
    const prefix = `${this.name} `;
    return this.timeline.filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
  }

  private note(event: string): void {
    this.timeline.push(`${this.name} ${event}`);
  }
}
