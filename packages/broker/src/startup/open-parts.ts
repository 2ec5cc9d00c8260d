import * as path from 'path';
import type { FallocateReserver } from '@gregor/storage';
import { BrokerAddresses, resolveTopology } from '../cluster/cluster-config';
import { ClusterNode } from '../cluster/cluster-node';
import { joinTopology } from '../cluster/join-cluster';
import { ClusterState } from '../controller/cluster-state';
import { GroupCoordinator } from '../groups/group-coordinator';
import type { ReplicaFactory } from '../replication/replica-factory';
import { realTicker } from '../replication/ticker';
import { TopicManager } from '../topic-manager';
import type { BrokerParts, StartingContext } from './starting-context';

/** How long admin calls wait for their metadata change to be applied on this broker. */
const METADATA_TIMEOUT_MS = 15_000;

export interface OpenPartsOptions {
  /** Where each part is published as it opens. */
  ctx: StartingContext;
  dataDir: string;
  /** Where the bound listeners are reached. */
  addresses: BrokerAddresses;
  reserver: FallocateReserver | null;
  createReplica: ReplicaFactory;
  /** Bound front-end listeners by name (host:port). */
  listeners: Record<string, string>;
}

/**
 * Opens the broker's parts in order, each published to the services as it opens: the cluster
 * membership and its peer handlers, the topics, the group coordinator. A cluster of one is ready
 * once it has registered itself, so admin calls work from the first moment. On failure, what
 * opened is closed again.
 */
export async function openBrokerParts({ ctx, dataDir, addresses, reserver, createReplica, listeners }: OpenPartsOptions): Promise<BrokerParts> {
  const { config, logger, store, opened } = ctx;
  try {
    const state = ClusterState.open(store.root);
    const topology = (opened.topology = config.join
      ? await joinTopology(config.brokerId, addresses, config.join, config.peers, state)
      : resolveTopology(config.brokerId, addresses, config.peers, config.controllers));
    const cluster = (opened.cluster = await ClusterNode.start({
      topology,
      advertisedAddress: addresses.client,
      rack: config.rack,
      listeners,
      metadataDir: path.join(dataDir, 'metadata'),
      state,
      logger,
      random: Math.random,
      ticker: realTicker,
      tickMs: config.raftTickMs,
      electionTick: config.electionTicks,
      heartbeatTick: 1,
      brokerHeartbeatMs: config.brokerHeartbeatMs,
      brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
      preferredLeaderCheckMs: config.preferredLeaderCheckMs,
      createReplica,
    }));
    const peerHandlers = (opened.peerHandlers = cluster.peerService());
    const topics = (opened.topics = await TopicManager.open({
      dataDir,
      cluster,
      topicDefaults: config.topicDefaults,
      defaultPartitions: config.defaultPartitions,
      maxPartitionsPerTopic: config.maxPartitionsPerTopic,
      defaultReplicationFactor: config.defaultReplicationFactor,
      metadataTimeoutMs: METADATA_TIMEOUT_MS,
      preallocation: reserver && { reserver, maxAheadBytes: config.logPreallocateBytes },
      logger,
    }));
    const groups = (opened.groups = new GroupCoordinator({ topics, cluster, offsetsTopicPartitions: config.offsetsTopicPartitions, ticker: realTicker, logger }));
    if (topology.peers.size === 1 && !config.join) {
      await cluster.awaitMetadata(() => cluster.state.broker(config.brokerId) !== undefined && cluster.state.clusterId !== '', METADATA_TIMEOUT_MS);
    }
    return { topology, cluster, peerHandlers, topics, groups };
  } catch (err) {
    await opened.topics?.close();
    await opened.cluster?.stop();
    throw err;
  }
}
