import { ConsumedOffsets } from '../../src/consumer/consumed-offsets';
import { ConsumerGroup, type GroupConsumer } from '../../src/consumer/consumer-group';
import { SubscriptionMatcher } from '../../src/consumer/subscription-matcher';
import { tpKey, type TopicPartition } from '../../src/consumer/topic-partitions';
import type { GregorError } from '../../src/errors';
import { FakeCoordinator } from './group/fake-coordinator';
import { ManualClock, until } from './group/manual-clock';
import { names, TEST_MEMBERSHIP_OPTIONS } from './group/test-member';

function group(coordinator: FakeCoordinator, clock: ManualClock, onRevoked: (tps: TopicPartition[]) => void) {
  const consumed = new ConsumedOffsets();
  const held = new Set<string>();
  const failures: GregorError[] = [];
  const consumer: GroupConsumer = {
    addPartitions: async (tps) => {
      for (const tp of tps) {
        held.add(tpKey(tp));
        consumed.moved(tpKey(tp), tp, 0);
      }
    },
    removePartitions: (tps) => tps.forEach((tp) => held.delete(tpKey(tp))),
    fail: (error) => failures.push(error),
  };
  const consumerGroup = new ConsumerGroup(
    { ...TEST_MEMBERSHIP_OPTIONS, autoCommitIntervalMs: 5000 },
    {
      rpc: coordinator.rpc(),
      clock,
      matcher: new SubscriptionMatcher(['t']),
      listener: { onRevoked },
      partitionCounts: async () => new Map([['t', 2]]),
      consumer,
      consumed,
    },
  );
  return { consumerGroup, consumed, held, failures };
}

describe('ConsumerGroup', () => {
  it('commits processed positions before onRevoked sees the partitions, and before they leave the consumer', async () => {
    const coordinator = new FakeCoordinator();
    const clock = new ManualClock();
    const seenAtRevoke: Array<{ revoked: string[]; committed: string[]; held: number }> = [];
    const { consumerGroup, consumed, held, failures } = group(coordinator, clock, (tps) =>
      seenAtRevoke.push({ revoked: names(tps), committed: coordinator.commits.map((c) => `${c.topic}-${c.partition}@${c.offset}`), held: held.size }));
    consumerGroup.start();
    await until(clock, () => held.size === 2, 'both partitions are assigned');

    // The application handled records 0..6 of t-0 and holds record 7.
    const t0 = { topic: 't', partition: 0 };
    consumed.pulled();
    for (let offset = 0; offset < 8; offset++) {
      consumed.handingOut();
      consumed.moved(tpKey(t0), t0, offset + 1);
      if (offset < 7) consumed.pulled();
    }
    coordinator.failNext('heartbeat', 'REBALANCE_IN_PROGRESS');
    await until(clock, () => seenAtRevoke.length === 1 && held.size === 2, 'the rebalance is over');

    expect(seenAtRevoke).toEqual([{ revoked: ['t-0', 't-1'], committed: ['t-0@7', 't-1@0'], held: 2 }]);
    expect(failures).toEqual([]);
  });

  it('close commits everything handed out, revokes, and leaves', async () => {
    const coordinator = new FakeCoordinator();
    const clock = new ManualClock();
    const revoked: string[][] = [];
    const { consumerGroup, consumed, held } = group(coordinator, clock, (tps) => revoked.push(names(tps)));
    consumerGroup.start();
    await until(clock, () => held.size === 2, 'both partitions are assigned');
    const memberId = consumerGroup.membership.memberId;
    const t1 = { topic: 't', partition: 1 };
    consumed.pulled();
    consumed.handingOut();
    consumed.moved(tpKey(t1), t1, 4);

    await consumerGroup.close();

    expect(coordinator.commits.map((c) => `${c.topic}-${c.partition}@${c.offset}`)).toEqual(['t-0@0', 't-1@4']);
    expect(revoked).toEqual([['t-0', 't-1']]);
    expect(held.size).toBe(0);
    expect(coordinator.calls('leave', memberId)).toBe(1);
  });
});
