import * as grpc from '@grpc/grpc-js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  type CommitOffsetsRequest,
  type DeleteGroupsRequest,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
  type FetchOffsetsRequest,
  type FetchOffsetsResponse,
  type GroupDescription,
  type MemberHeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type ListGroupsResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
  type TopicPartitions,
} from '@gregor/proto';
import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import { GroupCall, GroupCoordinator } from '../groups/group-coordinator';
import type { StoredMember } from '../groups/group-records';
import type { GroupsPartition } from '../groups/groups-partition';
import { unary } from './handlers';

type Call = grpc.ServerUnaryCall<unknown, unknown>;

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

/** Runs `each` for every group, then throws the first failure: one bad id does not stop the rest. */
async function forEachGroup(groups: readonly string[], each: (group: string) => Promise<void>): Promise<void> {
  let failure: unknown = null;
  for (const group of groups) {
    try {
      await each(group);
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure) throw failure;
}

export function groupsService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  const groups = (): GroupCoordinator => ctx.groups;
  const callOf = (call: Call, forwardTimeoutMs?: number): GroupCall => GroupCoordinator.callOf(call, forwardTimeoutMs);
  return {
    JoinGroup: unary<JoinGroupRequest, JoinGroupResponse>(ctx, 'JoinGroup', (request, call) => {
      checkJoin(request);
      const groupCall = callOf(call, Math.max(0, request.rebalanceTimeoutMs) + JOIN_FORWARD_MARGIN_MS);
      return groups().route(request.group, groupCall, 'JoinGroup', request, async (partition) =>
        (await partition.group(request.group, true)).join({
          memberId: checkId('member id', request.memberId),
          groupInstanceId: checkId('group instance id', request.groupInstanceId),
          protocolType: checkId('protocol type', request.protocolType),
          protocols: request.protocols,
          sessionTimeoutMs: request.sessionTimeoutMs,
          rebalanceTimeoutMs: request.rebalanceTimeoutMs,
          clientId: checkId('client id', request.clientId),
          clientHost: groupCall.clientHost,
        }),
      );
    }),
    SyncGroup: unary<SyncGroupRequest, SyncGroupResponse>(ctx, 'SyncGroup', (request, call) =>
      groups().route(request.group, callOf(call, SYNC_FORWARD_TIMEOUT_MS), 'SyncGroup', request, async (partition) =>
        (await memberGroup(partition, request.group)).sync({
          generation: request.generation,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId ?? '',
          protocolType: request.protocolType ?? '',
          protocolName: request.protocolName ?? '',
          assignments: request.assignments,
        }),
      ),
    ),
    Heartbeat: unary<MemberHeartbeatRequest, object>(ctx, 'Heartbeat', (request, call) =>
      groups().route(request.group, callOf(call), 'Heartbeat', request, async (partition) => {
        (await memberGroup(partition, request.group)).heartbeat({ generation: request.generation, memberId: request.memberId, groupInstanceId: request.groupInstanceId ?? '' });
        return {};
      }),
    ),
    LeaveGroup: unary<LeaveGroupRequest, object>(ctx, 'LeaveGroup', (request, call) =>
      groups().route(request.group, callOf(call), 'LeaveGroup', request, async (partition) => {
        (await memberGroup(partition, request.group)).leave(request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? '' })));
        return {};
      }),
    ),
    DescribeGroups: unary<DescribeGroupsRequest, DescribeGroupsResponse>(ctx, 'DescribeGroups', async (request, call) => {
      const described: GroupDescription[] = [];
      for (const group of request.groups) {
        const answer = await groups().route(group, callOf(call), 'DescribeGroups', { groups: [group] }, async (partition) => ({
          groups: [await describeGroup(partition, group)],
        }));
        described.push(...answer.groups);
      }
      return { groups: described };
    }),
    ListGroups: unary<object, ListGroupsResponse>(ctx, 'ListGroups', async (_request, call) => {
      const answers = await groups().everyPartition<ListGroupsResponse>(callOf(call), 'ListGroups', async (partition) => ({ groups: await partition.list() }));
      return { groups: answers.flatMap((a) => a.groups ?? []).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)) };
    }),
    DeleteGroups: unary<DeleteGroupsRequest, object>(ctx, 'DeleteGroups', async (request, call) => {
      await forEachGroup(request.groups, async (group) => {
        await groups().route(group, callOf(call), 'DeleteGroups', { groups: [group] }, async (partition) => {
          await partition.delete(group);
          return {};
        });
      });
      return {};
    }),
    CommitOffsets: unary<CommitOffsetsRequest, object>(ctx, 'CommitOffsets', async (request, call) => {
      const commits = commitsOf(ctx, request);
      const identity = { generation: request.generation ?? 0, memberId: request.memberId ?? '', groupInstanceId: request.groupInstanceId ?? '' };
      return groups().route(request.group, callOf(call), 'CommitOffsets', request, async (partition) => {
        await partition.commit(request.group, identity, commits);
        return {};
      });
    }),
    FetchOffsets: unary<FetchOffsetsRequest, FetchOffsetsResponse>(ctx, 'FetchOffsets', (request, call) =>
      groups().route(request.group, callOf(call), 'FetchOffsets', request, async (partition) => ({
        offsets: await partition.fetch(request.group, request.topic || undefined),
      })),
    ),
  };
}

/** The group a member's call names: UNKNOWN_MEMBER_ID when the coordinator has no such group (the member joins again). */
async function memberGroup(partition: GroupsPartition, id: string) {
  const group = await partition.group(id, false);
  if (!group) throw new BrokerError('UNKNOWN_MEMBER_ID', `group ${JSON.stringify(id)} has no members; join it first`);
  return group;
}
