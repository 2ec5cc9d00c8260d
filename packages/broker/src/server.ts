import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { FLOW_CONTROL_WINDOW_BYTES, services } from '@gregor/proto';
import { FallocateReserver } from '@gregor/storage';
import { claimBrokerId, resolveTopology } from './cluster/cluster-config';
import { ClusterNode } from './cluster/cluster-node';
import type { BrokerConfig } from './config';
import type { BrokerContext } from './context';
import { ClusterState } from './controller/cluster-state';
import { BrokerError } from './errors';
import { GroupCoordinator } from './groups/group-coordinator';
import { setHeapGrowingPercent } from './heap-growth';
import { Logger, errorFields } from './logger';
import { MetadataStore } from './metadata-store';
import { raiseReceiveWindows } from './receive-windows';
import { rejectUndecodable, strictRequests } from './strict-requests/strict-services';
import { adminService } from './services/admin-service';
import { groupsService } from './services/groups-service';
import { healthService } from './services/health-service';
import { logService, logServiceDefinition } from './services/log-service';
import { TopicManager } from './topic-manager';

/** Room for protobuf framing around a max-size batch. */
const MESSAGE_OVERHEAD_BYTES = 64 * 1024;

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** How long admin calls wait for their metadata change to be applied on this broker. */
const METADATA_TIMEOUT_MS = 15_000;

/**
 * Handlers that forward to an implementation created after the server is bound (the cluster
 * needs the bound port for its advertised address); until then calls fail as UNAVAILABLE.
 */
function lateBound(methods: readonly string[], target: () => grpc.UntypedServiceImplementation | undefined): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of methods) {
    handlers[method] = ((call: unknown, callback?: grpc.sendUnaryData<unknown>) => {
      const impl = target();
      if (impl) return (impl[method] as (c: unknown, cb?: unknown) => void)(call, callback);
      if (callback) callback({ code: grpc.status.UNAVAILABLE, details: 'broker is starting' });
      else (call as grpc.ServerWritableStream<unknown, unknown>).destroy(new Error('broker is starting'));
    }) as grpc.UntypedHandleCall;
  }
  return handlers;
}

/**
 * A Gregor broker: a member of a cluster (a cluster of one without peers) whose partitions are
 * Raft groups over segment logs and whose metadata is a replicated log applied into lmdb; the
 * gregor.v1 services, grpc.health.v1 and the peer service on one port.
 */
export class Broker {
  private retentionTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: BrokerConfig,
    readonly port: number,
    private readonly server: grpc.Server,
    private readonly topics: TopicManager,
    private readonly cluster: ClusterNode,
    private readonly groups: GroupCoordinator,
    private readonly store: MetadataStore,
    private readonly shutdown: AbortController,
    private readonly logger: Logger,
    private readonly reserver: FallocateReserver | null,
  ) {}

  static async start(config: BrokerConfig, logger: Logger): Promise<Broker> {
    setHeapGrowingPercent(config.heapGrowingPercent);
    // Started first, while this process is small: see FallocateReserver.
    const reserver =
      config.logPreallocateBytes > 0
        ? FallocateReserver.start((reason) => logger.warn('broker.preallocation_unavailable', { reason }))
        : null;
    const preallocation = reserver && { reserver, maxAheadBytes: config.logPreallocateBytes };
    const dataDir = path.resolve(config.dataDir);
    claimBrokerId(dataDir, config.brokerId);
    const store = await MetadataStore.open(path.join(dataDir, 'meta'));
    const shutdown = new AbortController();
    const server = new grpc.Server({
      'grpc.max_receive_message_length': config.maxRequestBytes + MESSAGE_OVERHEAD_BYTES,
      'grpc.max_send_message_length': -1,
      interceptors: [rejectUndecodable],
    });
    let boundPort = config.port;
    let cluster: ClusterNode | undefined;
    let topics: TopicManager | undefined;
    let groups: GroupCoordinator | undefined;
    let peerHandlers: grpc.UntypedServiceImplementation | undefined;
    const ctx: BrokerContext = {
      config,
      logger,
      store,
      shutdownSignal: shutdown.signal,
      boundPort: () => boundPort,
      get topics(): TopicManager {
        if (!topics) throw new BrokerError('SHUTTING_DOWN', 'broker is starting');
        return topics;
      },
      get cluster(): ClusterNode {
        if (!cluster) throw new BrokerError('SHUTTING_DOWN', 'broker is starting');
        return cluster;
      },
      get groups(): GroupCoordinator {
        if (!groups) throw new BrokerError('SHUTTING_DOWN', 'broker is starting');
        return groups;
      },
    };
    server.addService(strictRequests(logServiceDefinition()), logService(ctx));
    server.addService(strictRequests(services.Admin.service), adminService(ctx));
    server.addService(strictRequests(services.Groups.service), groupsService(ctx));
    server.addService(strictRequests(services.Health.service), healthService(ctx));
    server.addService(strictRequests(services.Peer.service), lateBound(Object.keys(services.Peer.service), () => peerHandlers));
    try {
      boundPort = await bind(server, `${config.host}:${config.port}`);
      if (!raiseReceiveWindows(server, FLOW_CONTROL_WINDOW_BYTES)) {
        logger.warn('broker.default_receive_windows', { reason: 'grpc-js no longer exposes its HTTP/2 servers' });
      }
      const advertisedAddress = config.advertisedAddress || `${config.host}:${boundPort}`;
      const topology = resolveTopology(config.brokerId, advertisedAddress, config.peers, config.controllers);
      cluster = await ClusterNode.start({
        topology,
        advertisedAddress,
        metadataDir: path.join(dataDir, 'metadata'),
        state: ClusterState.open(store.root),
        logger,
        random: Math.random,
        tickMs: config.raftTickMs,
        electionTick: config.electionTicks,
        heartbeatTick: 1,
        brokerHeartbeatMs: config.brokerHeartbeatMs,
        brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
        preferredLeaderCheckMs: config.preferredLeaderCheckMs,
        // TEST-ONLY, never documented: lets the chaos checker prove it catches lost acknowledged writes.
        unsafeAckBeforeReplication: process.env.GREGOR_UNSAFE_ACK_BEFORE_REPLICATION === '1',
      });
      peerHandlers = cluster.peerService();
      topics = await TopicManager.open({
        dataDir,
        cluster,
        topicDefaults: config.topicDefaults,
        defaultPartitions: config.defaultPartitions,
        maxPartitionsPerTopic: config.maxPartitionsPerTopic,
        defaultReplicationFactor: config.defaultReplicationFactor,
        metadataTimeoutMs: METADATA_TIMEOUT_MS,
        preallocation,
        logger,
      });
      groups = new GroupCoordinator({ topics, cluster, offsetsTopicPartitions: config.offsetsTopicPartitions });
      if (topology.peers.size === 1) {
        // A cluster of one is ready once it has registered itself: admin calls work from the first moment.
        const self = cluster;
        await self.awaitMetadata(() => self.state.broker(config.brokerId) !== undefined && self.state.clusterId !== '', METADATA_TIMEOUT_MS);
      }
    } catch (err) {
      server.forceShutdown();
      await topics?.close();
      await cluster?.stop();
      await store.close();
      reserver?.close();
      throw err;
    }
    const broker = new Broker(config, boundPort, server, topics, cluster, groups, store, shutdown, logger, reserver);
    broker.retentionTimer = setInterval(() => void topics?.applyRetention(), config.retentionCheckIntervalMs);
    broker.retentionTimer.unref();
    logger.info('broker.started', {
      brokerId: config.brokerId,
      host: config.host,
      port: boundPort,
      dataDir,
      clusterId: cluster.state.clusterId,
      peers: config.peers || 'none (a cluster of one)',
      topics: topics.list().length,
      heapGrowingPercent: config.heapGrowingPercent,
      logPreallocateBytes: config.logPreallocateBytes,
    });
    return broker;
  }

  /**
   * Graceful stop: refuse new calls, let in-flight ones finish (long polls
   * answer at once, streams end), then flush and close every log and the
   * metadata store. Calls still running after shutdownTimeoutMs are cut.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.logger.info('broker.stopping', {});
    clearInterval(this.retentionTimer);
    this.shutdown.abort();
    this.cluster.transport.endInbound();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.logger.warn('broker.forced_shutdown', { timeoutMs: this.config.shutdownTimeoutMs });
        this.server.forceShutdown();
        resolve();
      }, this.config.shutdownTimeoutMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    try {
      this.groups.close();
      await this.topics.close();
      await this.cluster.stop();
    } catch (err) {
      this.logger.error('broker.close_failed', errorFields(err));
    }
    await this.store.close();
    this.reserver?.close();
    this.logger.info('broker.stopped', {});
  }
}
