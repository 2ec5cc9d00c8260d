import type { Admin } from '../admin';
import type { Cluster } from '../cluster/cluster';
import { systemClock } from './clock';
import type { ConsumedOffsets } from './consumed-offsets';
import { ConsumerGroup, type GroupConsumer } from './consumer-group';
import { groupOptions, type GroupConfig } from './group-config';
import { clusterGroupRpc } from './group-rpc';
import type { RebalanceListener } from './rebalance-listener';
import { SubscriptionMatcher } from './subscription-matcher';

export interface ClusterGroupSetup {
  cluster: Cluster;
  admin: Admin;
  groupId: string;
  config: GroupConfig;
  subscription: string[] | RegExp;
  listener: RebalanceListener;
  consumer: GroupConsumer;
  consumed: ConsumedOffsets;
}

/** A consumer's group side over a real cluster: group calls through any broker, topics from ListTopics, wall-clock time. */
export function clusterGroup(setup: ClusterGroupSetup): ConsumerGroup {
  const { cluster, admin } = setup;
  const options = groupOptions(setup.groupId, setup.config, (attempt) => cluster.backoffDelay(attempt));
  return new ConsumerGroup(options, {
    rpc: clusterGroupRpc(cluster, options),
    clock: systemClock,
    matcher: new SubscriptionMatcher(setup.subscription),
    listener: setup.listener,
    partitionCounts: async () => new Map((await admin.listTopics()).map((t) => [t.name, t.partitions])),
    consumer: setup.consumer,
    consumed: setup.consumed,
  });
}
