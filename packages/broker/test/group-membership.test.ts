import * as grpc from '@grpc/grpc-js';
import { decodeAssignment, encodeAssignment, encodeSubscription } from '@gregor/proto';
import { BrokerProcess, LocalCluster, startBroker, startCluster, waitFor } from '@gregor/testkit';
import { Message, RawClient, RawClients } from './helpers/raw-client';

const joinOf = (group: string, memberId = '', overrides: Message = {}): Message => ({
  group,
  memberId,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: encodeSubscription({ topics: ['members-t'] }) }],
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 10_000,
  clientId: 'raw',
  ...overrides,
});

const assignmentOf = (partitions: number[], topic = 'members-t'): Buffer => encodeAssignment({ partitions: [{ topic, partitions }] });

async function reasonOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return `${grpc.status[e.code]} ${e.metadata?.get('gregor-error')[0] ?? ''}`.trim();
  }
  return 'OK';
}

/** The group protocol over plain gRPC, against a broker process. */
describe('consumer group membership over raw gRPC', () => {
  let broker: BrokerProcess;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startBroker({ config: { 'offsets-topic-partitions': 2 } });
    client = new RawClient(broker.address);
    await client.call('Admin', 'CreateTopic', { name: 'members-t', partitions: 4 });
  });

  afterAll(async () => {
    client?.close();
    await broker?.cleanup();
  });

  it('two members join, the leader assigns, each gets its part, and describe shows who reads what', async () => {
    const first = await client.call('Groups', 'JoinGroup', joinOf('g1'));
    expect(first).toMatchObject({ generation: 1, leader: first.memberId, protocolName: 'range' });
    await client.call('Groups', 'SyncGroup', { group: 'g1', generation: 1, memberId: first.memberId, assignments: [{ memberId: first.memberId, assignment: assignmentOf([0, 1, 2, 3]) }] });

    const second = client.call('Groups', 'JoinGroup', joinOf('g1'));
    expect(await reasonOf(client.call('Groups', 'Heartbeat', { group: 'g1', generation: 1, memberId: first.memberId }))).toBe('FAILED_PRECONDITION REBALANCE_IN_PROGRESS');
    const [leader, other] = await Promise.all([client.call('Groups', 'JoinGroup', joinOf('g1', first.memberId)), second]);
    expect(leader.generation).toBe(2);
    expect(leader.members).toHaveLength(2);
    expect(other.members).toEqual([]);

    const assignments = [
      { memberId: leader.memberId, assignment: assignmentOf([0, 1]) },
      { memberId: other.memberId, assignment: assignmentOf([2, 3]) },
    ];
    const [mine, theirs] = await Promise.all([
      client.call('Groups', 'SyncGroup', { group: 'g1', generation: 2, memberId: leader.memberId, assignments }),
      client.call('Groups', 'SyncGroup', { group: 'g1', generation: 2, memberId: other.memberId, assignments: [] }),
    ]);
    expect(decodeAssignment(mine.assignment).partitions).toEqual([{ topic: 'members-t', partitions: [0, 1] }]);
    expect(decodeAssignment(theirs.assignment).partitions).toEqual([{ topic: 'members-t', partitions: [2, 3] }]);

    const { groups } = await client.call('Groups', 'DescribeGroups', { groups: ['g1', 'nosuch'] });
    expect(groups[0]).toMatchObject({ group: 'g1', state: 'Stable', protocolType: 'consumer', protocolName: 'range', generation: 2, leader: leader.memberId });
    expect(groups[0].members.map((m: Message) => [m.clientId, m.clientHost.startsWith('ipv4:127.0.0.1') || m.clientHost.includes('127.0.0.1'), m.assigned])).toEqual(
      expect.arrayContaining([
        ['raw', true, [{ topic: 'members-t', partitions: [0, 1] }]],
        ['raw', true, [{ topic: 'members-t', partitions: [2, 3] }]],
      ]),
    );
    expect(groups[1]).toMatchObject({ group: 'nosuch', state: 'Dead', members: [] });
    expect((await client.call('Groups', 'ListGroups', {})).groups).toContainEqual({ group: 'g1', state: 'Stable', protocolType: 'consumer' });

    // A commit is fenced by generation; an admin commit is refused while members live, and the group cannot be deleted.
    const offsets = [{ topic: 'members-t', partition: 0, offset: 3 }];
    await client.call('Groups', 'CommitOffsets', { group: 'g1', generation: 2, memberId: leader.memberId, offsets });
    expect(await reasonOf(client.call('Groups', 'CommitOffsets', { group: 'g1', generation: 1, memberId: leader.memberId, offsets }))).toBe('FAILED_PRECONDITION ILLEGAL_GENERATION');
    expect(await reasonOf(client.call('Groups', 'CommitOffsets', { group: 'g1', offsets }))).toBe('FAILED_PRECONDITION UNKNOWN_MEMBER_ID');
    expect(await reasonOf(client.call('Groups', 'DeleteGroups', { groups: ['g1'] }))).toBe('FAILED_PRECONDITION NON_EMPTY_GROUP');

    await client.call('Groups', 'LeaveGroup', { group: 'g1', members: [{ memberId: other.memberId }] });
    expect(await reasonOf(client.call('Groups', 'Heartbeat', { group: 'g1', generation: 2, memberId: leader.memberId }))).toBe('FAILED_PRECONDITION REBALANCE_IN_PROGRESS');
    await client.call('Groups', 'LeaveGroup', { group: 'g1', members: [{ memberId: leader.memberId }] });
    const afterLeave = (await client.call('Groups', 'DescribeGroups', { groups: ['g1'] })).groups[0];
    expect(afterLeave).toMatchObject({ state: 'Empty', members: [] });
    expect((await client.call('Groups', 'FetchOffsets', { group: 'g1' })).offsets).toEqual([expect.objectContaining({ partition: 0, offset: 3 })]);

    await client.call('Groups', 'DeleteGroups', { groups: ['g1'] });
    expect((await client.call('Groups', 'DescribeGroups', { groups: ['g1'] })).groups[0].state).toBe('Dead');
    expect((await client.call('Groups', 'FetchOffsets', { group: 'g1' })).offsets).toEqual([]);
    expect(await reasonOf(client.call('Groups', 'DeleteGroups', { groups: ['g1'] }))).toBe('NOT_FOUND GROUP_ID_NOT_FOUND');
  });

  it('refuses bad requests with typed errors and leaves the group and its offsets as they were', async () => {
    const member = await client.call('Groups', 'JoinGroup', joinOf('g2'));
    await client.call('Groups', 'SyncGroup', { group: 'g2', generation: 1, memberId: member.memberId, assignments: [{ memberId: member.memberId, assignment: assignmentOf([0]) }] });
    await client.call('Groups', 'CommitOffsets', { group: 'g2', generation: 1, memberId: member.memberId, offsets: [{ topic: 'members-t', partition: 0, offset: 5 }] });

    expect(await reasonOf(client.call('Groups', 'JoinGroup', joinOf('')))).toBe('INVALID_ARGUMENT INVALID_GROUP_ID');
    expect(await reasonOf(client.call('Groups', 'Heartbeat', { group: 'nosuch', generation: 1, memberId: member.memberId }))).toBe('FAILED_PRECONDITION UNKNOWN_MEMBER_ID');
    expect(await reasonOf(client.call('Groups', 'Heartbeat', { group: 'g1', generation: 1, memberId: member.memberId }))).toBe('FAILED_PRECONDITION UNKNOWN_MEMBER_ID');
    const oversized = { protocols: [{ name: 'range', metadata: Buffer.alloc(65 * 1024) }] };
    expect(await reasonOf(client.call('Groups', 'JoinGroup', joinOf('g2', '', oversized)))).toBe('INVALID_ARGUMENT INVALID_REQUEST');
    expect(await reasonOf(client.call('Groups', 'JoinGroup', joinOf('g2', '', { sessionTimeoutMs: 5 })))).toBe('INVALID_ARGUMENT INVALID_SESSION_TIMEOUT');
    expect(await reasonOf(client.call('Groups', 'JoinGroup', joinOf('g2', '', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] })))).toBe(
      'INVALID_ARGUMENT INCONSISTENT_GROUP_PROTOCOL',
    );
    const commit = (topic: string, partition: number) =>
      client.call('Groups', 'CommitOffsets', { group: 'g2', generation: 1, memberId: member.memberId, offsets: [{ topic, partition, offset: 1 }] });
    expect(await reasonOf(commit('no-such-topic', 0))).toBe('NOT_FOUND UNKNOWN_TOPIC');
    expect(await reasonOf(commit('members-t', 9))).toBe('NOT_FOUND UNKNOWN_PARTITION');

    // A rebalance, then an assignment naming a partition that does not exist.
    const rejoined = await client.call('Groups', 'JoinGroup', joinOf('g2', member.memberId, { protocols: [{ name: 'range', metadata: encodeSubscription({ topics: ['members-t', 'x'] }) }] }));
    const sync = (assignment: Buffer) => client.call('Groups', 'SyncGroup', { group: 'g2', generation: rejoined.generation, memberId: member.memberId, assignments: [{ memberId: member.memberId, assignment }] });
    expect(await reasonOf(sync(assignmentOf([7])))).toBe('NOT_FOUND UNKNOWN_PARTITION');
    expect(await reasonOf(sync(assignmentOf([0], 'no-such-topic')))).toBe('NOT_FOUND UNKNOWN_TOPIC');
    expect(await reasonOf(sync(Buffer.from([0, 1, 0xff])))).toBe('INVALID_ARGUMENT INVALID_REQUEST');
    expect((await client.call('Groups', 'DescribeGroups', { groups: ['g2'] })).groups[0].state).toBe('CompletingRebalance');
    expect((await client.call('Groups', 'FetchOffsets', { group: 'g2' })).offsets).toEqual([expect.objectContaining({ partition: 0, offset: 5 })]);
    expect(await client.call('Health', 'Check', { service: '' })).toMatchObject({ status: 'SERVING' });
  });
});

/** The coordinator's broker dies: the group, its generation, assignments and offsets are rebuilt from the log by the next one. */
describe('a consumer group across a coordinator change', () => {
  let cluster: LocalCluster;
  const clients = new RawClients((id) => cluster.address(id));

  beforeAll(async () => {
    cluster = await startCluster({ brokers: 3, config: { 'offsets-topic-partitions': 1 } });
    await waitFor(async () => {
      const { brokers } = await clients.get(1).call('Admin', 'DescribeCluster', {});
      return brokers.length === 3 && brokers.every((b: Message) => b.alive);
    }, 30_000, 'three live brokers');
  });

  afterAll(async () => {
    clients.close();
    await cluster?.cleanup();
  });

  /** Asks each live broker in turn until one answers: any broker forwards to the coordinator. */
  const anyBroker = (live: number[], method: string, request: Message) =>
    waitFor(async () => {
      for (const id of live) {
        try {
          return await clients.get(id).call('Groups', method, request, 5_000);
        } catch (err) {
          const reason = (err as grpc.ServiceError).metadata?.get('gregor-error')[0];
          if (reason && !['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER'].includes(String(reason))) throw err;
        }
      }
      return undefined;
    }, 30_000, `${method} answered`);

  it('the new coordinator knows the members, their generation and assignment, and the committed offsets', async () => {
    await clients.get(1).call('Admin', 'CreateTopic', { name: 'members-t', partitions: 2, replicationFactor: 3 });
    const member = await anyBroker(cluster.ids, 'JoinGroup', joinOf('g'));
    const assignments = [{ memberId: member.memberId, assignment: assignmentOf([0, 1]) }];
    await anyBroker(cluster.ids, 'SyncGroup', { group: 'g', generation: 1, memberId: member.memberId, assignments });
    const offsets = [{ topic: 'members-t', partition: 1, offset: 42 }];
    await anyBroker(cluster.ids, 'CommitOffsets', { group: 'g', generation: 1, memberId: member.memberId, offsets });

    const status = (await clients.get(1).call('Admin', 'DescribeCluster', {})).partitions.find((p: Message) => p.topic === '__consumer_offsets');
    await cluster.kill(status.leader);
    const live = cluster.ids.filter((id) => id !== status.leader);

    await anyBroker(live, 'Heartbeat', { group: 'g', generation: 1, memberId: member.memberId });
    const synced = await anyBroker(live, 'SyncGroup', { group: 'g', generation: 1, memberId: member.memberId, assignments: [] });
    expect(decodeAssignment(synced.assignment).partitions).toEqual([{ topic: 'members-t', partitions: [0, 1] }]);
    const described = (await anyBroker(live, 'DescribeGroups', { groups: ['g'] })).groups[0];
    expect(described).toMatchObject({ state: 'Stable', generation: 1, leader: member.memberId });
    expect((await anyBroker(live, 'FetchOffsets', { group: 'g' })).offsets).toEqual([expect.objectContaining({ partition: 1, offset: 42 })]);
  });
});
