import * as path from 'path';
import { resolveTopology } from '../src/cluster/cluster-config';
import { ClusterNode, type ClusterNodeOptions } from '../src/cluster/cluster-node';
import { ClusterState } from '../src/controller/cluster-state';
import { silentLogger } from '../src/logger';
import { MetadataStore } from '../src/metadata-store';
import { createReplicatedPartition } from '../src/replication/replica-factory';
import { realTicker } from '../src/replication/ticker';
import { TopicManager } from '../src/topic-manager';

export interface SingleNode {
  store: MetadataStore;
  cluster: ClusterNode;
  topics: TopicManager;
  close(): Promise<void>;
}

/**
 * A cluster of one in this process, as a broker without peers runs: its own controller and every
 * replica. `overrides` replaces the test defaults, e.g. its real-timer ticker.
 */
export async function startSingleNode(dir: string, defaultPartitions = 2, overrides: Partial<ClusterNodeOptions> = {}): Promise<SingleNode> {
  const store = await MetadataStore.open(path.join(dir, 'meta'));
  const cluster = await ClusterNode.start({
    topology: resolveTopology(1, { client: '127.0.0.1:1', peer: '127.0.0.1:2' }, '', ''),
    advertisedAddress: '127.0.0.1:1',
    rack: '',
    listeners: {},
    metadataDir: path.join(dir, 'metadata'),
    state: ClusterState.open(store.root),
    logger: silentLogger,
    random: () => 0.5,
    ticker: realTicker,
    tickMs: 10,
    electionTick: 10,
    heartbeatTick: 1,
    brokerHeartbeatMs: 50,
    brokerSessionTimeoutMs: 1000,
    preferredLeaderCheckMs: 1000,
    createReplica: createReplicatedPartition,
    ...overrides,
  });
  await cluster.awaitMetadata(() => cluster.state.broker(1) !== undefined && cluster.state.clusterId !== '', 10_000);
  const topics = await TopicManager.open({
    dataDir: dir,
    cluster,
    topicDefaults: {},
    defaultPartitions,
    maxPartitionsPerTopic: 8,
    defaultReplicationFactor: 3,
    metadataTimeoutMs: 10_000,
    preallocation: null,
    logger: silentLogger,
  });
  return {
    store,
    cluster,
    topics,
    close: async () => {
      await topics.close();
      await cluster.stop();
      await store.close();
    },
  };
}
