import { ConsumerGroup, GroupHost, JoinRequest, JoinResult } from '../../src/groups/consumer-group';
import { StoredGroup, decodeGroupsRecord, encodeGroup, groupKey } from '../../src/groups/group-records';
import { silentLogger } from '../../src/logger';
import { BrokerError } from '../../src/errors';

const LIMITS = { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, maxSize: 3 };
const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;

/** A host on virtual time whose log keeps every membership the group stores; `failPersist` makes the next write fail. */
class FakeHost implements GroupHost {
  time = 0;
  readonly logger = silentLogger;
  readonly persisted: StoredGroup[] = [];
  failPersist = false;

  now(): number {
    return this.time;
  }

  async persist(stored: StoredGroup): Promise<void> {
    if (this.failPersist) {
      this.failPersist = false;
      throw new Error('disk on fire');
    }
    // Through the log's own encoding, as a new coordinator would read it back.
    const record = decodeGroupsRecord({ offset: 0, timestamp: 0, headers: [], key: groupKey('g'), value: encodeGroup(stored) });
    if (record.kind === 'group' && record.stored) this.persisted.push(record.stored);
  }

  checkAssignment(_protocolType: string, assignment: Buffer): void {
    if (assignment.toString() === 'bad') throw new BrokerError('UNKNOWN_PARTITION', 'the assignment names partition 9 of t, which has 2');
  }

  checkStorable(): void {}
}

const joinOf = (memberId: string, overrides: Partial<JoinRequest> = {}): JoinRequest => ({
  memberId,
  groupInstanceId: '',
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.from('sub') }],
  sessionTimeoutMs: SESSION_MS,
  rebalanceTimeoutMs: REBALANCE_MS,
  clientId: 'c',
  clientHost: '127.0.0.1',
  ...overrides,
});

async function codeOf(work: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    return (err as BrokerError).code;
  }
  return 'no error';
}

/** Lets settled promises' callbacks run (the persist chain), without moving virtual time. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConsumerGroup', () => {
  let host: FakeHost;
  let group: ConsumerGroup;

  beforeEach(() => {
    host = new FakeHost();
    group = new ConsumerGroup('g', host, LIMITS, null);
  });

  /** Joins a new member and, as its leader, syncs `assignments` (member index to bytes) once every given member is in. */
  async function stableGroupOf(count: number): Promise<JoinResult[]> {
    const first = await group.join(joinOf(''));
    let joined = [first];
    for (let i = 1; i < count; i++) {
      const newcomer = group.join(joinOf(''));
      const rejoins = joined.map((j) => group.join(joinOf(j.memberId)));
      joined = await Promise.all([...rejoins, newcomer]);
    }
    const leader = joined.find((j) => j.memberId === j.leader)!;
    const syncs = joined.map((j) =>
      group.sync({
        generation: j.generation,
        memberId: j.memberId,
        groupInstanceId: '',
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: j === leader ? joined.map((m, i) => ({ memberId: m.memberId, assignment: Buffer.from(`part-${i}`) })) : [],
      }),
    );
    await Promise.all(syncs);
    return joined;
  }

  it('a first member joins an empty group as its leader and, after its sync is stored, reads its assignment', async () => {
    const joined = await group.join(joinOf(''));
    expect(joined).toMatchObject({ generation: 1, protocolName: 'range', leader: joined.memberId });
    expect(joined.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    expect(group.state).toBe('CompletingRebalance');
    const synced = await group.sync({
      generation: 1,
      memberId: joined.memberId,
      groupInstanceId: '',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('all') }],
    });
    expect(synced.assignment.toString()).toBe('all');
    expect(group.state).toBe('Stable');
    expect(host.persisted).toHaveLength(1);
    expect(host.persisted[0]).toMatchObject({ generation: 1, leader: joined.memberId, members: [{ memberId: joined.memberId }] });
  });

  it('a new member starts a rebalance: heartbeats say so, rejoins complete it, and only the leader sees the members', async () => {
    const [first] = await stableGroupOf(1);
    const second = group.join(joinOf(''));
    expect(group.state).toBe('PreparingRebalance');
    expect(await codeOf(() => group.heartbeat({ generation: 1, memberId: first.memberId, groupInstanceId: '' }))).toBe('REBALANCE_IN_PROGRESS');
    const rejoined = await group.join(joinOf(first.memberId));
    const newcomer = await second;
    expect(rejoined.generation).toBe(2);
    expect(newcomer.generation).toBe(2);
    expect(rejoined.leader).toBe(first.memberId);
    expect(rejoined.members.map((m) => m.memberId).sort()).toEqual([first.memberId, newcomer.memberId].sort());
    expect(newcomer.members).toEqual([]);
  });

  it('non-leaders wait in SyncGroup until the leader has sent the assignment and it is stored', async () => {
    const [a, b] = await stableGroupOf(2);
    expect(group.generation).toBe(2);
    group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' });
    const described = group.describe().members.map((m) => [m.memberId, m.assignment.toString()] as const);
    expect(new Map(described)).toEqual(
      new Map([
        [a.memberId, 'part-0'],
        [b.memberId, 'part-1'],
      ]),
    );
  });

  it('a member that misses its session timeout is removed, and the rest rebalance without it', async () => {
    const [a, b] = await stableGroupOf(2);
    host.time += SESSION_MS - 100;
    group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' });
    group.tick();
    expect(group.state).toBe('Stable');
    host.time += 200;
    group.tick();
    expect(group.state).toBe('PreparingRebalance');
    expect(group.size).toBe(1);
    expect(await codeOf(() => group.heartbeat({ generation: 2, memberId: b.memberId, groupInstanceId: '' }))).toBe('UNKNOWN_MEMBER_ID');
    const rejoined = await group.join(joinOf(a.memberId));
    expect(rejoined).toMatchObject({ generation: 3, leader: a.memberId });
  });

  it('a held heartbeat is answered when its wait is over, keeping the session', async () => {
    const [a] = await stableGroupOf(2);
    let answered = false;
    const held = group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' }, 400).then(() => (answered = true));
    host.time += 300;
    group.tick();
    await settle();
    expect(answered).toBe(false);
    host.time += 100;
    group.tick();
    await held;
    expect(group.state).toBe('Stable');
  });

  it('a held heartbeat is answered REBALANCE_IN_PROGRESS the moment another member\'s session expires', async () => {
    const [a, b] = await stableGroupOf(2);
    host.time += SESSION_MS - 100;
    const held = codeOf(group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' }, 5000));
    host.time += 200;
    group.tick();
    expect(await held).toBe('REBALANCE_IN_PROGRESS');
    expect(group.size).toBe(1);
    expect(await codeOf(() => group.heartbeat({ generation: 2, memberId: b.memberId, groupInstanceId: '' }))).toBe('UNKNOWN_MEMBER_ID');
  });

  it('holds a heartbeat at most half the session, and a newer heartbeat answers the one it replaces', async () => {
    const [a] = await stableGroupOf(2);
    const identity = { generation: 2, memberId: a.memberId, groupInstanceId: '' };
    const first = group.heartbeat(identity, SESSION_MS * 10);
    const second = group.heartbeat(identity, SESSION_MS * 10);
    await first;
    let answered = false;
    const held = second.then(() => (answered = true));
    host.time += SESSION_MS / 2 - 1;
    group.tick();
    await settle();
    expect(answered).toBe(false);
    host.time += 1;
    group.tick();
    await held;
  });

  it('a held heartbeat fails with the reason when the group is unloaded', async () => {
    const [a] = await stableGroupOf(2);
    const held = codeOf(group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' }, 1000));
    group.close(new BrokerError('NOT_COORDINATOR', 'moved'));
    expect(await held).toBe('NOT_COORDINATOR');
  });

  it('a member that does not rejoin within the rebalance timeout is dropped from the new generation', async () => {
    const [a, b] = await stableGroupOf(2);
    const rejoin = group.join(joinOf(a.memberId, { protocols: [{ name: 'range', metadata: Buffer.from('new topics') }] }));
    // b keeps its session alive but never rejoins.
    while (host.time + SESSION_MS / 2 < REBALANCE_MS) {
      host.time += SESSION_MS / 2;
      group.tick();
      expect(await codeOf(() => group.heartbeat({ generation: 2, memberId: b.memberId, groupInstanceId: '' }))).toBe('REBALANCE_IN_PROGRESS');
    }
    host.time = REBALANCE_MS;
    group.tick();
    const result = await rejoin;
    expect(result.generation).toBe(3);
    expect(result.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('fences commits by generation and member, accepts them while a rebalance is prepared, refuses them while it completes', async () => {
    const [a] = await stableGroupOf(1);
    expect(await codeOf(() => group.checkCommit({ generation: 0, memberId: a.memberId, groupInstanceId: '' }))).toBe('ILLEGAL_GENERATION');
    expect(await codeOf(() => group.checkCommit({ generation: 1, memberId: 'nobody', groupInstanceId: '' }))).toBe('UNKNOWN_MEMBER_ID');
    expect(await codeOf(() => group.checkCommit({ generation: -1, memberId: '', groupInstanceId: '' }))).toBe('UNKNOWN_MEMBER_ID');
    const newcomer = group.join(joinOf(''));
    expect(group.state).toBe('PreparingRebalance');
    expect(await codeOf(() => group.checkCommit({ generation: 1, memberId: a.memberId, groupInstanceId: '' }))).toBe('no error');
    await Promise.all([group.join(joinOf(a.memberId)), newcomer]);
    expect(group.state).toBe('CompletingRebalance');
    expect(await codeOf(() => group.checkCommit({ generation: 2, memberId: a.memberId, groupInstanceId: '' }))).toBe('REBALANCE_IN_PROGRESS');
  });

  it('a group without members takes commits from outside membership', async () => {
    expect(await codeOf(() => group.checkCommit({ generation: -1, memberId: '', groupInstanceId: '' }))).toBe('no error');
  });

  it('refuses a member whose protocols share nothing with the group, and bad session timeouts', async () => {
    await stableGroupOf(1);
    expect(await codeOf(group.join(joinOf('', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] })))).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect(await codeOf(group.join(joinOf('', { protocolType: 'connect' })))).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect(await codeOf(group.join(joinOf('', { sessionTimeoutMs: 10 })))).toBe('INVALID_SESSION_TIMEOUT');
    expect(await codeOf(group.join(joinOf('', { rebalanceTimeoutMs: 0 })))).toBe('INVALID_SESSION_TIMEOUT');
    expect(group.state).toBe('Stable');
  });

  it('chooses the protocol every member supports that most prefer', async () => {
    const both = [
      { name: 'cooperative-sticky', metadata: Buffer.alloc(0) },
      { name: 'range', metadata: Buffer.alloc(0) },
    ];
    const first = await group.join(joinOf('', { protocols: both }));
    const newcomers = [group.join(joinOf('', { protocols: [both[1], both[0]] })), group.join(joinOf('', { protocols: both }))];
    const results = await Promise.all([group.join(joinOf(first.memberId, { protocols: both })), ...newcomers]);
    expect(results.map((r) => r.protocolName)).toEqual(['cooperative-sticky', 'cooperative-sticky', 'cooperative-sticky']);
  });

  it('refuses a member past the group size limit', async () => {
    await stableGroupOf(3);
    expect(await codeOf(group.join(joinOf('')))).toBe('GROUP_MAX_SIZE_REACHED');
  });

  it("refuses the leader's assignment if it names a partition that does not exist, leaving the group as it was", async () => {
    const joined = await group.join(joinOf(''));
    const sync = { generation: 1, memberId: joined.memberId, groupInstanceId: '', protocolType: 'consumer', protocolName: 'range' };
    expect(await codeOf(group.sync({ ...sync, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('bad') }] }))).toBe('UNKNOWN_PARTITION');
    expect(await codeOf(group.sync({ ...sync, assignments: [{ memberId: 'stranger', assignment: Buffer.from('x') }] }))).toBe('UNKNOWN_MEMBER_ID');
    expect(group.state).toBe('CompletingRebalance');
    expect(host.persisted).toHaveLength(0);
  });

  it('an assignment that cannot be stored fails every waiting sync and starts a new rebalance', async () => {
    const joined = await group.join(joinOf(''));
    host.failPersist = true;
    const failed = group.sync({ generation: 1, memberId: joined.memberId, groupInstanceId: '', protocolType: '', protocolName: '', assignments: [] });
    expect(await codeOf(failed)).toBe('COORDINATOR_NOT_AVAILABLE');
    expect(group.state).toBe('PreparingRebalance');
  });

  it('members leave: the group rebalances, and once the last has left it is Empty and stored so', async () => {
    const [a, b] = await stableGroupOf(2);
    group.leave([{ memberId: b.memberId, groupInstanceId: '' }]);
    expect(group.state).toBe('PreparingRebalance');
    await group.join(joinOf(a.memberId));
    group.leave([{ memberId: a.memberId, groupInstanceId: '' }]);
    expect(group.state).toBe('Empty');
    await settle();
    expect(host.persisted.at(-1)).toMatchObject({ members: [], generation: 4 });
    expect(await codeOf(() => group.leave([{ memberId: a.memberId, groupInstanceId: '' }]))).toBe('UNKNOWN_MEMBER_ID');
  });

  it('a static member restarting in a stable group keeps its assignment with no new generation, and its old incarnation is fenced', async () => {
    const first = await group.join(joinOf('', { groupInstanceId: 'host-1' }));
    const other = group.join(joinOf(''));
    const [a, b] = await Promise.all([group.join(joinOf(first.memberId, { groupInstanceId: 'host-1' })), other]);
    const assignments = [
      { memberId: a.memberId, assignment: Buffer.from('p0') },
      { memberId: b.memberId, assignment: Buffer.from('p1') },
    ];
    const base = { generation: 2, protocolType: 'consumer', protocolName: 'range' };
    await Promise.all([
      group.sync({ ...base, memberId: a.memberId, groupInstanceId: 'host-1', assignments }),
      group.sync({ ...base, memberId: b.memberId, groupInstanceId: '', assignments: [] }),
    ]);

    const restarted = await group.join(joinOf('', { groupInstanceId: 'host-1' }));
    expect(restarted.memberId).not.toBe(a.memberId);
    expect(restarted.generation).toBe(2);
    expect(group.state).toBe('Stable');
    const synced = await group.sync({ ...base, memberId: restarted.memberId, groupInstanceId: 'host-1', assignments: [] });
    expect(synced.assignment.toString()).toBe('p0');
    expect(await codeOf(() => group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: 'host-1' }))).toBe('FENCED_INSTANCE_ID');
    expect(host.persisted.at(-1)!.members.map((m) => m.memberId)).toContain(restarted.memberId);
  });

  it('a new coordinator loading the stored group keeps generation, leader and assignments, and restarts sessions', async () => {
    const [a, b] = await stableGroupOf(2);
    host.time += 5_000;
    const reloaded = new ConsumerGroup('g', host, LIMITS, host.persisted.at(-1)!);
    expect(reloaded.state).toBe('Stable');
    reloaded.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' });
    const synced = await reloaded.sync({ generation: 2, memberId: b.memberId, groupInstanceId: '', protocolType: '', protocolName: '', assignments: [] });
    expect(synced.assignment.toString()).toBe('part-1');
    host.time += SESSION_MS - 1;
    reloaded.tick();
    expect(reloaded.size).toBe(2);
  });

  it('closing the group fails waiting joins with the given error', async () => {
    const [a] = await stableGroupOf(2);
    const waiting = group.join(joinOf(a.memberId, { protocols: [{ name: 'range', metadata: Buffer.from('changed') }] }));
    const third = group.join(joinOf(''));
    group.close(new BrokerError('NOT_COORDINATOR', 'moved'));
    expect(await codeOf(third)).toBe('NOT_COORDINATOR');
    expect(await codeOf(waiting)).toBe('NOT_COORDINATOR');
    expect(await codeOf(() => group.heartbeat({ generation: 2, memberId: a.memberId, groupInstanceId: '' }))).toBe('COORDINATOR_NOT_AVAILABLE');
  });
});
