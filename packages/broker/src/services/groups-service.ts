import * as grpc from '@grpc/grpc-js';
import type { CommitOffsetsRequest, FetchOffsetsRequest, FetchOffsetsResponse, ListGroupsResponse } from '@gregor/proto';
import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import { unary } from './handlers';

async function commitOffsets(ctx: BrokerContext, request: CommitOffsetsRequest): Promise<object> {
  if (!request.group) throw new BrokerError('INVALID_REQUEST', 'commit offsets needs a group id');
  const now = Date.now();
  const commits = request.offsets.map((o) => {
    ctx.topics.partition(o.topic, o.partition);
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
      throw new BrokerError('INVALID_REQUEST', `committed offset must be a non-negative integer, got ${o.offset} for ${o.topic}-${o.partition}`);
    }
    return { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '', commitTime: now };
  });
  await ctx.store.commitOffsets(request.group, commits);
  return {};
}

export function groupsService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  return {
    CommitOffsets: unary<CommitOffsetsRequest, object>(ctx, 'CommitOffsets', (request) => commitOffsets(ctx, request)),
    FetchOffsets: unary<FetchOffsetsRequest, FetchOffsetsResponse>(ctx, 'FetchOffsets', async (request) => ({
      offsets: ctx.store.fetchOffsets(request.group, request.topic || undefined),
    })),
    ListGroups: unary<object, ListGroupsResponse>(ctx, 'ListGroups', async () => ({ groups: ctx.store.listGroups() })),
  };
}
