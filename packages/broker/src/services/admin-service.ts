import * as grpc from '@grpc/grpc-js';
import type {
  AlterTopicConfigRequest,
  CreatePartitionsRequest,
  CreateTopicRequest,
  DeleteTopicRequest,
  CancelReassignmentRequest,
  ControllerChangeRequest,
  ControllerChangeResponse,
  DecommissionBrokerRequest,
  DecommissionBrokerResponse,
  DescribeClusterResponse,
  ListReassignmentsResponse,
  ReassignPartitionsRequest,
  RebalanceClusterRequest,
  RebalanceClusterResponse,
  DescribeTopicRequest,
  ListTopicsResponse,
  TopicDescription,
} from '@gregor/proto';
import type { BrokerContext } from '../context';
import { refuseInternalTopic, type Topic } from '../topic-manager';
import { cancelDecommission, cancelReassignment, decommissionBroker, listReassignments, reassignPartitions } from '../reassignment/reassignment-admin';
import { changeController } from '../cluster/controller-admin';
import { rebalanceCluster } from '../reassignment/rebalance';
import { describeCluster } from './cluster-status';
import { unary } from './handlers';

/** A topic with its assignments; offsets are this broker's view where it holds a replica, else -1. */
function describe(ctx: BrokerContext, topic: Topic): TopicDescription {
  return {
    name: topic.record.name,
    topicId: topic.record.topicId,
    partitions: topic.record.assignments.map((assignment, partition) => {
      const replica = topic.partitions[partition];
      return {
        partition,
        leader: replica?.leaderId || assignment.leader,
        replicas: assignment.replicas,
        logStartOffset: replica?.logStartOffset ?? -1,
        highWatermark: replica?.highWatermark ?? -1,
        logEndOffset: replica?.logEndOffset ?? -1,
      };
    }),
    configs: ctx.topics.effectiveConfigs(topic),
  };
}

export function adminService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  return {
    CreateTopic: unary<CreateTopicRequest, TopicDescription>(ctx, 'CreateTopic', async (request) => {
      refuseInternalTopic(request.name, 'create');
      return describe(ctx, await ctx.topics.create(request.name, request.partitions ?? 0, request.configs ?? {}, request.replicationFactor ?? 0));
    }),
    DeleteTopic: unary<DeleteTopicRequest, object>(ctx, 'DeleteTopic', async (request) => {
      refuseInternalTopic(request.name, 'delete');
      await ctx.topics.delete(request.name);
      return {};
    }),
    ListTopics: unary<object, ListTopicsResponse>(ctx, 'ListTopics', async () => ({
      topics: ctx.topics.list().map((t) => ({ name: t.record.name, partitions: t.record.partitions })),
    })),
    DescribeTopic: unary<DescribeTopicRequest, TopicDescription>(ctx, 'DescribeTopic', async (request) =>
      describe(ctx, ctx.topics.get(request.name)),
    ),
    AlterTopicConfig: unary<AlterTopicConfigRequest, TopicDescription>(ctx, 'AlterTopicConfig', async (request) =>
      describe(ctx, await ctx.topics.alterConfigs(request.name, request.set ?? {}, request.reset ?? [])),
    ),
    CreatePartitions: unary<CreatePartitionsRequest, TopicDescription>(ctx, 'CreatePartitions', async (request) => {
      refuseInternalTopic(request.name, 'add partitions to');
      return describe(ctx, await ctx.topics.addPartitions(request.name, request.partitions));
    }),
    DescribeCluster: unary<object, DescribeClusterResponse>(ctx, 'DescribeCluster', () => describeCluster(ctx)),
    ReassignPartitions: unary<ReassignPartitionsRequest, object>(ctx, 'ReassignPartitions', async (request) => {
      await reassignPartitions(ctx, request.partitions ?? [], request.throttleMbPerSec ?? 0);
      return {};
    }),
    CancelReassignment: unary<CancelReassignmentRequest, object>(ctx, 'CancelReassignment', async (request) => {
      await cancelReassignment(ctx, request.topic, request.partition);
      return {};
    }),
    ListReassignments: unary<object, ListReassignmentsResponse>(ctx, 'ListReassignments', () => listReassignments(ctx)),
    DecommissionBroker: unary<DecommissionBrokerRequest, DecommissionBrokerResponse>(ctx, 'DecommissionBroker', async (request) => ({
      moves: request.cancel ? await cancelDecommission(ctx, request.brokerId) : await decommissionBroker(ctx, request.brokerId),
    })),
    AddController: unary<ControllerChangeRequest, ControllerChangeResponse>(ctx, 'AddController', async (request) => ({
      target: await changeController(ctx, 'add', request.brokerId),
    })),
    RemoveController: unary<ControllerChangeRequest, ControllerChangeResponse>(ctx, 'RemoveController', async (request) => ({
      target: await changeController(ctx, 'remove', request.brokerId),
    })),
    RebalanceCluster: unary<RebalanceClusterRequest, RebalanceClusterResponse>(ctx, 'RebalanceCluster', async (request) => {
      const plan = await rebalanceCluster(ctx, request.dryRun === true, request.throttleMbPerSec ?? 0);
      const loads = (list: typeof plan.before) => list.map((l) => ({ brokerId: l.id, replicas: l.replicas, leaders: l.leaders, bytes: l.bytes }));
      return {
        moves: plan.moves.map((m) => ({ topic: m.topic, partition: m.partition, from: [...m.from], to: m.to })),
        before: loads(plan.before),
        after: loads(plan.after),
        started: request.dryRun !== true && plan.moves.length > 0,
      };
    }),
  };
}
