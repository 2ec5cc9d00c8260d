import * as grpc from '@grpc/grpc-js';
import type {
  CommitOffsetsRequest,
  DeleteGroupsRequest,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  FetchOffsetsRequest,
  FetchOffsetsResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  ListGroupsResponse,
  MemberHeartbeatRequest,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@gregor/proto';
import type { BrokerContext } from '../context';
import { GroupCoordinator } from '../groups/group-coordinator';
import { groupRequests } from '../groups/group-requests';
import { unary } from './handlers';

type Call = grpc.ServerUnaryCall<unknown, unknown>;

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
  const requests = groupRequests(ctx);
  const callOf = (call: Call) => GroupCoordinator.callOf(call);
  return {
    JoinGroup: unary<JoinGroupRequest, JoinGroupResponse>(ctx, 'JoinGroup', (request, call) => requests.join(callOf(call), request)),
    SyncGroup: unary<SyncGroupRequest, SyncGroupResponse>(ctx, 'SyncGroup', (request, call) => requests.sync(callOf(call), request)),
    Heartbeat: unary<MemberHeartbeatRequest, object>(ctx, 'Heartbeat', async (request, call) => (await requests.heartbeat(callOf(call), request), {})),
    LeaveGroup: unary<LeaveGroupRequest, object>(ctx, 'LeaveGroup', async (request, call) => (await requests.leave(callOf(call), request), {})),
    DescribeGroups: unary<DescribeGroupsRequest, DescribeGroupsResponse>(ctx, 'DescribeGroups', async (request, call) => {
      const groups = [];
      for (const group of request.groups) groups.push(await requests.describe(callOf(call), group));
      return { groups };
    }),
    ListGroups: unary<object, ListGroupsResponse>(ctx, 'ListGroups', async (_request, call) => ({ groups: await requests.list(callOf(call)) })),
    DeleteGroups: unary<DeleteGroupsRequest, object>(ctx, 'DeleteGroups', async (request, call) => {
      await forEachGroup(request.groups, (group) => requests.delete(callOf(call), group));
      return {};
    }),
    CommitOffsets: unary<CommitOffsetsRequest, object>(ctx, 'CommitOffsets', async (request, call) => (await requests.commit(callOf(call), request), {})),
    FetchOffsets: unary<FetchOffsetsRequest, FetchOffsetsResponse>(ctx, 'FetchOffsets', async (request, call) => ({ offsets: await requests.fetch(callOf(call), request) })),
  };
}
