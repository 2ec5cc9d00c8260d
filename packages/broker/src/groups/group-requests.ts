import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  type CommitOffsetsRequest,
  type CommittedOffset,
  type FetchOffsetsRequest,
  type GroupDescription,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type ListedGroup,
  type MemberHeartbeatRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
  type TopicPartitions,
} from '@gregor/proto';
import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import type { GroupCall, GroupCoordinator } from './group-coordinator';
import type { StoredMember } from './group-records';
import type { GroupsPartition } from './groups-partition';

/** A member's subscription is a few topic names; far more is a client bug, not a subscription. */
const MAX_PROTOCOL_METADATA_BYTES = 64 * 1024;
const MAX_PROTOCOLS = 16;
const MAX_ID_LENGTH = 255;
/** A forwarded join waits out the rebalance; past that, the member's own deadline is what counts. */
const JOIN_FORWARD_MARGIN_MS = 5_000;
const SYNC_FORWARD_TIMEOUT_MS = 5 * 60 * 1000;

function checkId(what: string, value: string | undefined): string {
  const id = value ?? '';
  if (id.length > MAX_ID_LENGTH || id.includes('\u0000')) throw new BrokerError('INVALID_REQUEST', `${what} must be text of at most ${MAX_ID_LENGTH} characters`);
  return id;
}

function checkJoin(request: JoinGroupRequest): void {
  if (request.protocols.length > MAX_PROTOCOLS) throw new BrokerError('INVALID_REQUEST', `a join may offer at most ${MAX_PROTOCOLS} protocols, got ${request.protocols.length}`);
  const names = new Set<string>();
  for (const p of request.protocols) {
    checkId('a protocol name', p.name);
    if (!p.name || names.has(p.name)) throw new BrokerError('INVALID_REQUEST', `protocol names must be non-empty and distinct, got ${JSON.stringify(p.name)}`);
    names.add(p.name);
    if (p.metadata.length > MAX_PROTOCOL_METADATA_BYTES) {
      throw new BrokerError('INVALID_REQUEST', `protocol ${p.name}'s metadata is ${p.metadata.length} bytes, over the ${MAX_PROTOCOL_METADATA_BYTES}-byte limit`);
    }
  }
}

/** What the member was assigned, for people: decoded under protocol type "consumer", else nothing. */
function assignedPartitions(protocolType: string, assignment: Buffer): TopicPartitions[] {
  if (protocolType !== CONSUMER_PROTOCOL_TYPE || assignment.length === 0) return [];
  try {
    return decodeAssignment(assignment).partitions.map((tp) => ({ topic: tp.topic, partitions: tp.partitions }));
  } catch {
    return [];
  }
}

async function describeGroup(partition: GroupsPartition, id: string): Promise<GroupDescription> {
  const found = await partition.describe(id);
  if (!found) return { group: id, state: 'Dead', protocolType: '', protocolName: '', generation: 0, leader: '', members: [] };
  const { summary, group } = found;
  const d = group?.describe();
  const member = (m: StoredMember) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    metadata: m.protocols.find((p) => p.name === d?.protocolName)?.metadata ?? Buffer.alloc(0),
    assignment: m.assignment,
    assigned: assignedPartitions(d?.protocolType ?? '', m.assignment),
  });
  return {
    group: id,
    state: summary.state,
    protocolType: d?.protocolType ?? '',
    protocolName: d?.protocolName ?? '',
    generation: d?.generation ?? 0,
    leader: d?.leader ?? '',
    members: (d?.members ?? []).map(member),
  };
}

function commitsOf(ctx: BrokerContext, request: CommitOffsetsRequest) {
  const now = Date.now();
  return request.offsets.map((o) => {
    const topic = ctx.topics.get(o.topic);
    if (!Number.isInteger(o.partition) || o.partition < 0 || o.partition >= topic.record.partitions) {
      throw new BrokerError('UNKNOWN_PARTITION', `unknown partition ${o.partition} of topic ${JSON.stringify(o.topic)} (it has ${topic.record.partitions})`);
    }
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new BrokerError('INVALID_REQUEST', `committed offset must be a non-negative integer, got ${o.offset} for ${o.topic}-${o.partition}`);
    }
    return { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '', commitTime: now };
  });
}

/**
 * The group requests every protocol serves (gRPC Groups, Kafka's group APIs), checked once and
 * run on the group's coordinator: here when this broker leads the group's offsets partition, else
 * forwarded there when the call may be (see GroupCall).
 */
export interface GroupRequests {
  /** The broker coordinating the group; 0 while its offsets partition has no leader. */
  coordinatorOf(group: string): Promise<number>;
  join(call: GroupCall, request: JoinGroupRequest): Promise<JoinGroupResponse>;
  sync(call: GroupCall, request: SyncGroupRequest): Promise<SyncGroupResponse>;
  heartbeat(call: GroupCall, request: MemberHeartbeatRequest): Promise<void>;
  leave(call: GroupCall, request: LeaveGroupRequest): Promise<void>;
  describe(call: GroupCall, group: string): Promise<GroupDescription>;
  list(call: GroupCall): Promise<ListedGroup[]>;
  delete(call: GroupCall, group: string): Promise<void>;
  commit(call: GroupCall, request: CommitOffsetsRequest): Promise<void>;
  fetch(call: GroupCall, request: FetchOffsetsRequest): Promise<CommittedOffset[]>;
}

export function groupRequests(ctx: BrokerContext): GroupRequests {
  // Read per call: a front end gets its surface before the broker has opened its parts.
  const groups = (): GroupCoordinator => ctx.groups;
  return {
    coordinatorOf: (group) => groups().coordinatorOf(group),
    join: (call, request) => {
      checkJoin(request);
      const forwarded = { ...call, forwardTimeoutMs: Math.max(0, request.rebalanceTimeoutMs) + JOIN_FORWARD_MARGIN_MS };
      return groups().route(request.group, forwarded, 'JoinGroup', request, async (partition) =>
        (await partition.group(request.group, true)).join({
          memberId: checkId('member id', request.memberId),
          groupInstanceId: checkId('group instance id', request.groupInstanceId),
          protocolType: checkId('protocol type', request.protocolType),
          protocols: request.protocols,
          sessionTimeoutMs: request.sessionTimeoutMs,
          rebalanceTimeoutMs: request.rebalanceTimeoutMs,
          clientId: checkId('client id', request.clientId),
          clientHost: call.clientHost,
        }),
      );
    },
    sync: (call, request) =>
      groups().route(request.group, { ...call, forwardTimeoutMs: SYNC_FORWARD_TIMEOUT_MS }, 'SyncGroup', request, async (partition) =>
        (await memberGroup(partition, request.group)).sync({
          generation: request.generation,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId ?? '',
          protocolType: request.protocolType ?? '',
          protocolName: request.protocolName ?? '',
          assignments: request.assignments,
        }),
      ),
    heartbeat: (call, request) =>
      groups().route(request.group, call, 'Heartbeat', request, async (partition) => {
        const member = { generation: request.generation, memberId: request.memberId, groupInstanceId: request.groupInstanceId ?? '' };
        await (await memberGroup(partition, request.group)).heartbeat(member, request.waitMs ?? 0);
      }),
    leave: (call, request) =>
      groups().route(request.group, call, 'LeaveGroup', request, async (partition) => {
        (await memberGroup(partition, request.group)).leave(request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? '' })));
      }),
    describe: async (call, group) => {
      const answer = await groups().route(group, call, 'DescribeGroups', { groups: [group] }, async (partition) => ({ groups: [await describeGroup(partition, group)] }));
      return answer.groups[0];
    },
    list: async (call) => {
      const answers = await groups().everyPartition<{ groups?: ListedGroup[] }>(call, 'ListGroups', async (partition) => ({ groups: await partition.list() }));
      const byName = new Map(answers.flatMap((a) => a.groups ?? []).map((g) => [g.group, g]));
      return [...byName.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    },
    delete: async (call, group) => {
      await groups().route(group, call, 'DeleteGroups', { groups: [group] }, (partition) => partition.delete(group));
    },
    commit: async (call, request) => {
      const commits = commitsOf(ctx, request);
      const identity = { generation: request.generation ?? 0, memberId: request.memberId ?? '', groupInstanceId: request.groupInstanceId ?? '' };
      await groups().route(request.group, call, 'CommitOffsets', request, (partition) => partition.commit(request.group, identity, commits));
    },
    fetch: async (call, request) =>
      (await groups().route(request.group, call, 'FetchOffsets', request, async (partition) => ({ offsets: await partition.fetch(request.group, request.topic || undefined) }))).offsets,
  };
}

/** The group a member's call names: UNKNOWN_MEMBER_ID when the coordinator has no such group (the member joins again). */
async function memberGroup(partition: GroupsPartition, id: string) {
  const group = await partition.group(id, false);
  if (!group) throw new BrokerError('UNKNOWN_MEMBER_ID', `group ${JSON.stringify(id)} has no members; join it first`);
  return group;
}
