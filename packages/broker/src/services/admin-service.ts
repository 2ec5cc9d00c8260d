import * as grpc from '@grpc/grpc-js';
import type {
  AlterTopicConfigRequest,
  CreateTopicRequest,
  DeleteTopicRequest,
  DescribeClusterResponse,
  DescribeTopicRequest,
  ListTopicsResponse,
  TopicDescription,
} from '@gregor/proto';
import type { BrokerContext } from '../context';
import type { Topic } from '../topic-manager';
import { unary } from './handlers';

function describe(ctx: BrokerContext, topic: Topic): TopicDescription {
  const brokerId = ctx.config.brokerId;
  return {
    name: topic.record.name,
    topicId: topic.record.topicId,
    partitions: topic.partitions.map((replica) => ({
      partition: replica.partition,
      leader: brokerId,
      replicas: [brokerId],
      logStartOffset: replica.logStartOffset,
      highWatermark: replica.highWatermark,
      logEndOffset: replica.logEndOffset,
    })),
    configs: ctx.topics.effectiveConfigs(topic),
  };
}

export function adminService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  return {
    CreateTopic: unary<CreateTopicRequest, TopicDescription>(ctx, 'CreateTopic', async (request) =>
      describe(ctx, await ctx.topics.create(request.name, request.partitions ?? 0, request.configs ?? {})),
    ),
    DeleteTopic: unary<DeleteTopicRequest, object>(ctx, 'DeleteTopic', async (request) => {
      await ctx.topics.delete(request.name);
      return {};
    }),
    ListTopics: unary<object, ListTopicsResponse>(ctx, 'ListTopics', async () => ({
      topics: ctx.topics.list().map((t) => ({ name: t.record.name, partitions: t.partitions.length })),
    })),
    DescribeTopic: unary<DescribeTopicRequest, TopicDescription>(ctx, 'DescribeTopic', async (request) =>
      describe(ctx, ctx.topics.get(request.name)),
    ),
    AlterTopicConfig: unary<AlterTopicConfigRequest, TopicDescription>(ctx, 'AlterTopicConfig', async (request) =>
      describe(ctx, await ctx.topics.alterConfigs(request.name, request.set ?? {}, request.reset ?? [])),
    ),
    DescribeCluster: unary<object, DescribeClusterResponse>(ctx, 'DescribeCluster', async () => ({
      clusterId: ctx.store.clusterId(),
      controllerId: ctx.config.brokerId,
      brokers: [{ id: ctx.config.brokerId, host: ctx.config.host, port: ctx.boundPort() }],
    })),
  };
}
