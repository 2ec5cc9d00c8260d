import type { ClusterNode } from './cluster/cluster-node';
import type { BrokerConfig } from './config';
import type { GroupCoordinator } from './groups/group-coordinator';
import type { Logger } from './logger';
import type { MetadataStore } from './metadata-store';
import type { BrokerMetrics } from './http/broker-metrics';
import type { TopicManager } from './topic-manager';

/** What the gRPC services share: state, config, and the shutdown signal. */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly topics: TopicManager;
  readonly cluster: ClusterNode;
  readonly groups: GroupCoordinator;
  readonly store: MetadataStore;
  readonly metrics: BrokerMetrics;
  /** Aborted when graceful shutdown starts: long polls answer, streams end. */
  readonly shutdownSignal: AbortSignal;
}
