import * as grpc from '@grpc/grpc-js';
import type { CommitOffsetsRequest, FetchOffsetsRequest, FetchOffsetsResponse, ListGroupsResponse } from '@gregor/proto';
import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import { unary } from './handlers';

async function commitOffsets(ctx: BrokerContext, request: CommitOffsetsRequest, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<object> {
  if (!request.group) throw new BrokerError('INVALID_REQUEST', 'commit offsets needs a group id');
  const now = Date.now();
  const commits = request.offsets.map((o) => {
    const topic = ctx.topics.get(o.topic);
    if (!Number.isInteger(o.partition) || o.partition < 0 || o.partition >= topic.record.partitions) {
      throw new BrokerError('UNKNOWN_PARTITION', `unknown partition ${o.partition} of topic ${JSON.stringify(o.topic)} (it has ${topic.record.partitions})`);
    }
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new BrokerError('INVALID_REQUEST', `committed offset must be a non-negative integer, got ${o.offset} for ${o.topic}-${o.partition}`);
    }
    return { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '', commitTime: now };
  });
  await ctx.groups.commit(request.group, commits, call);
  return {};
}

export function groupsService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  return {
    CommitOffsets: unary<CommitOffsetsRequest, object>(ctx, 'CommitOffsets', (request, call) => commitOffsets(ctx, request, call)),
    FetchOffsets: unary<FetchOffsetsRequest, FetchOffsetsResponse>(ctx, 'FetchOffsets', async (request, call) => ({
      offsets: await ctx.groups.fetch(request.group, request.topic || undefined, call),
    })),
    ListGroups: unary<object, ListGroupsResponse>(ctx, 'ListGroups', async (_request, call) => ({ groups: (await ctx.groups.listGroups(call)).map((group) => ({ group, state: 'Empty' as const, protocolType: '' })) })),
  };
}
