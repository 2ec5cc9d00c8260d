import { decodeSubscription, type JoinGroupRequest } from '@gregor/proto';
import { FakeCoordinator } from './group/fake-coordinator';
import { ManualClock, until } from './group/manual-clock';
import { cooperativeTestAssignor } from './group/test-assignors';
import { TEST_MEMBERSHIP_OPTIONS, TestMember } from './group/test-member';

const ALL = 't-0 t-1 t-2 t-3';

function setup(): { coordinator: FakeCoordinator; clock: ManualClock; timeline: string[] } {
  return { coordinator: new FakeCoordinator(), clock: new ManualClock(), timeline: [] };
}

function joins(coordinator: FakeCoordinator): JoinGroupRequest[] {
  return coordinator.log.filter((c) => c.method === 'join').map((c) => c.request as JoinGroupRequest);
}

describe('GroupMembership', () => {
  it('eager: a member revokes everything before it joins again, then gets its share', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    const b = new TestMember('b', coordinator, clock, timeline).start();
    await until(clock, () => a.partitions().length === 2 && b.partitions().length === 2, 'a and b share the partitions');

    expect(a.events()).toEqual(['join', `assigned ${ALL}`, `revoked ${ALL}`, 'join', 'assigned t-0 t-2']);
    expect(b.events()).toEqual(['join', 'assigned t-1 t-3']);
    // b is handed its partitions only after a gave them up.
    expect(timeline.indexOf('b assigned t-1 t-3')).toBeGreaterThan(timeline.indexOf(`a revoked ${ALL}`));
  });

  it('cooperative: partitions that stay are never revoked; moved ones are revoked, then handed over in a second round', async () => {
    const { coordinator, clock, timeline } = setup();
    const options = { assignors: [cooperativeTestAssignor] };
    const a = new TestMember('a', coordinator, clock, timeline, options).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    const b = new TestMember('b', coordinator, clock, timeline, options).start();
    await until(clock, () => b.partitions().length === 2, 'b gets its share');

    expect(a.partitions()).toEqual(['t-0', 't-2']);
    expect(b.partitions()).toEqual(['t-1', 't-3']);
    expect(a.events()).toEqual(['join', `assigned ${ALL}`, 'join', 'revoked t-1 t-3', 'assigned', 'join', 'assigned']);
    expect(b.events()).toEqual(['join', 'assigned', 'join', 'assigned t-1 t-3']);
    expect(timeline.indexOf('b assigned t-1 t-3')).toBeGreaterThan(timeline.indexOf('a revoked t-1 t-3'));
    // a rejoined holding what it owned, which is what lets the assignor keep it there.
    const aRejoin = joins(coordinator).find((j) => j.memberId === a.membership.memberId)!;
    expect(decodeSubscription(aRejoin.protocols[0].metadata).ownedPartitions).toEqual([{ topic: 't', partitions: [0, 1, 2, 3] }]);
  });

  it('asks the coordinator to hold each heartbeat up to the interval, and sends the next one the interval after the last was sent', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    const sent: Array<{ at: number; waitMs: number | undefined }> = [];
    coordinator.holdHeartbeats((request) => {
      sent.push({ at: clock.now(), waitMs: request.waitMs });
      return new Promise((resolve) => clock.after(60, resolve));
    });
    await until(clock, () => sent.length >= 4, 'four held heartbeats', 5);

    const interval = TEST_MEMBERSHIP_OPTIONS.heartbeatIntervalMs;
    expect(sent.every((h) => h.waitMs === interval)).toBe(true);
    expect(sent.slice(1).map((h, i) => h.at - sent[i].at)).toEqual([interval, interval, interval]);
  });

  it('a heartbeat answered REBALANCE_IN_PROGRESS makes the member join again under its member id', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    const memberId = a.membership.memberId;
    coordinator.failNext('heartbeat', 'REBALANCE_IN_PROGRESS');
    await until(clock, () => coordinator.generation === 2 && a.partitions().length === 4, 'a rejoined');

    expect(a.events()).toEqual(['join', `assigned ${ALL}`, `revoked ${ALL}`, 'join', `assigned ${ALL}`]);
    expect(joins(coordinator).map((j) => j.memberId)).toEqual(['', memberId]);
    expect(a.membership.memberId).toBe(memberId);
  });

  it('UNKNOWN_MEMBER_ID: the partitions are lost and the member joins again with an empty member id', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    const first = a.membership.memberId;
    coordinator.expire(first);
    await until(clock, () => ![first, ''].includes(a.membership.memberId) && a.partitions().length === 4, 'a is back under a new member id');

    expect(a.events()).toEqual(['join', `assigned ${ALL}`, `lost ${ALL}`, 'join', `assigned ${ALL}`]);
    expect(joins(coordinator).map((j) => j.memberId)).toEqual(['', '']);
    expect(a.membership.memberId).not.toBe(first);
  });

  it('a commit from a member the group has dropped is refused with the coordinator\'s reason', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    await a.membership.commit([{ topic: 't', partition: 0, offset: 1 }]);
    coordinator.expire(a.membership.memberId);

    await expect(a.membership.commit([{ topic: 't', partition: 0, offset: 2 }])).rejects.toMatchObject({ name: 'GregorError', reason: 'UNKNOWN_MEMBER_ID' });
    expect(coordinator.commits.map((c) => c.offset)).toEqual([1]);
  });

  it('close: a dynamic member leaves the group; a static member revokes but does not leave', async () => {
    const { coordinator, clock, timeline } = setup();
    const staticMember = new TestMember('s', coordinator, clock, timeline, { groupInstanceId: 'instance-1' }).start();
    const dynamicMember = new TestMember('d', coordinator, clock, timeline).start();
    await until(clock, () => staticMember.partitions().length === 2 && dynamicMember.partitions().length === 2, 'both have partitions');
    const staticId = staticMember.membership.memberId;
    const dynamicId = dynamicMember.membership.memberId;

    await staticMember.membership.close();
    await dynamicMember.membership.close();

    expect(coordinator.calls('leave', staticId)).toBe(0);
    expect(coordinator.calls('leave', dynamicId)).toBe(1);
    expect(coordinator.members.has(staticId)).toBe(true);
    expect(staticMember.events().at(-1)).toMatch(/^revoked /);
    expect(staticMember.partitions()).toEqual([]);
    // Closed members send nothing more, whatever time passes.
    const calls = coordinator.log.length;
    clock.advance(60000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(coordinator.log.length).toBe(calls);
  });

  it('max poll interval: an application that stops pulling takes its member out of the group until it pulls again', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline, { maxPollIntervalMs: 1000 }).start();
    a.membership.notePoll(true);
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    const memberId = a.membership.memberId;
    a.membership.notePoll(false);
    const handedOutAt = clock.now();

    await until(clock, () => a.partitions().length === 0, 'a gives its partitions up');
    expect(clock.now() - handedOutAt).toBeGreaterThan(1000);
    expect(coordinator.calls('leave', memberId)).toBe(1);
    expect(a.events()).toEqual(['join', `assigned ${ALL}`, `lost ${ALL}`]);
    const heartbeats = coordinator.calls('heartbeat');
    clock.advance(5000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(coordinator.calls('heartbeat')).toBe(heartbeats);

    a.membership.notePoll(true);
    await until(clock, () => a.partitions().length === 4, 'a is back');
    expect(joins(coordinator).map((j) => j.memberId)).toEqual(['', '']);
  });

  it('FENCED_INSTANCE_ID is fatal: partitions are lost and the host is told', async () => {
    const { coordinator, clock, timeline } = setup();
    const a = new TestMember('a', coordinator, clock, timeline, { groupInstanceId: 'instance-1' }).start();
    await until(clock, () => a.partitions().length === 4, 'a owns every partition');
    coordinator.failNext('heartbeat', 'FENCED_INSTANCE_ID');
    await until(clock, () => a.failures.length === 1, 'a fails');

    expect(a.failures[0]).toMatchObject({ reason: 'FENCED_INSTANCE_ID' });
    expect(a.events()).toEqual(['join', `assigned ${ALL}`, `lost ${ALL}`]);
    const joinsBefore = coordinator.calls('join');
    clock.advance(60000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(coordinator.calls('join')).toBe(joinsBefore);
  });

  it('the leader rejoins when a topic of the group gains partitions', async () => {
    const { coordinator, clock, timeline } = setup();
    const partitionCounts = new Map([['t', 2]]);
    const a = new TestMember('a', coordinator, clock, timeline, { partitionCounts }).start();
    await until(clock, () => a.partitions().length === 2, 'a owns both partitions');
    partitionCounts.set('t', 3);
    await until(clock, () => a.partitions().length === 3, 'a owns the new partition too', 100);
    expect(a.events()).toEqual(['join', 'assigned t-0 t-1', 'revoked t-0 t-1', 'join', 'assigned t-0 t-1 t-2']);
  });

  it('a pattern subscription joins again when a new topic matches, never for internal topics', async () => {
    const { coordinator, clock, timeline } = setup();
    const partitionCounts = new Map([['orders-eu', 1], ['payments', 1]]);
    const a = new TestMember('a', coordinator, clock, timeline, { partitionCounts, topics: /orders-.*/ }).start();
    await until(clock, () => a.partitions().length === 1, 'a owns orders-eu');
    partitionCounts.set('__orders-internal', 1);
    partitionCounts.set('orders-us', 1);
    await until(clock, () => a.partitions().length === 2, 'a owns orders-us too', 100);
    expect(a.partitions()).toEqual(['orders-eu-0', 'orders-us-0']);
    expect(decodeSubscription(joins(coordinator)[1].protocols[0].metadata).topics).toEqual(['orders-eu', 'orders-us']);
  });
});
