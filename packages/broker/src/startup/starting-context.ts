import type * as grpc from '@grpc/grpc-js';
import type { ClusterTopology } from '../cluster/cluster-config';
import type { ClusterNode } from '../cluster/cluster-node';
import type { BrokerConfig } from '../config';
import type { BrokerContext } from '../context';
import { BrokerError } from '../errors';
import type { GroupCoordinator } from '../groups/group-coordinator';
import { BrokerMetrics } from '../http/broker-metrics';
import type { Logger } from '../logger';
import type { MetadataStore } from '../metadata-store';
import type { TopicManager } from '../topic-manager';

/** What a broker opens once its listeners are bound, in this order. */
export interface BrokerParts {
  topology: ClusterTopology;
  cluster: ClusterNode;
  peerHandlers: grpc.UntypedServiceImplementation;
  topics: TopicManager;
  groups: GroupCoordinator;
}

/**
 * The services' context: they are registered before the listeners are bound and the broker's
 * parts open only afterwards (the cluster needs the bound ports), so each part is published here
 * as it opens, and a call that needs one not yet open fails as the broker starting.
 */
export class StartingContext implements BrokerContext {
  readonly opened: Partial<BrokerParts> = {};
  readonly metrics: BrokerMetrics;

  constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    readonly store: MetadataStore,
    readonly shutdownSignal: AbortSignal,
  ) {
    this.metrics = new BrokerMetrics(this);
  }

  get topics(): TopicManager {
    return this.part('topics');
  }

  get cluster(): ClusterNode {
    return this.part('cluster');
  }

  get groups(): GroupCoordinator {
    return this.part('groups');
  }

  isMember(id: number): boolean {
    return this.opened.topology?.peers.has(id) === true || this.opened.cluster?.state.broker(id) !== undefined;
  }

  private part<K extends keyof BrokerParts>(name: K): BrokerParts[K] {
    const part = this.opened[name];
    if (!part) throw new BrokerError('SHUTTING_DOWN', 'broker is starting');
    return part;
  }
}
