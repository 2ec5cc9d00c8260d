import * as path from 'path';
import { CleanerThread, type FallocateReserver } from '@gregor/storage';
import { claimBrokerId } from './cluster/cluster-config';
import type { BrokerConfig } from './config';
import { brokerSurface } from './broker-surface';
import type { BrokerContext } from './context';
import type { FrontEnd } from './front-end';
import { setHeapGrowingPercent } from './heap-growth';
import { brokerRoutes } from './http/broker-http';
import type { BrokerMetrics } from './http/broker-metrics';
import { type HttpExtension, HttpListener } from './http/http-listener';
import { Logger, errorFields } from './logger';
import { MetadataStore } from './metadata-store';
import { AutoBalancer } from './reassignment/auto-balance';
import { ReplicaFactory, createReplicatedPartition } from './replication/replica-factory';
import { BrokerListeners } from './startup/listeners';
import { openBrokerParts } from './startup/open-parts';
import { startPreallocation } from './startup/preallocation';
import { BrokerParts, StartingContext } from './startup/starting-context';

export interface BrokerStartOptions {
  /** For test harnesses that run a deliberately broken broker; production uses the default. */
  createReplica?: ReplicaFactory;
  /** Listeners for other protocols, wired in by whoever starts the broker (the CLI). */
  frontEnds?: readonly FrontEnd[];
  /** More to serve on the HTTP port (--metrics-port), e.g. the web console. */
  httpExtensions?: readonly HttpExtension[];
}

/**
 * A Gregor broker: a member of a cluster (a cluster of one without peers) whose partitions are
 * Raft groups over segment logs and whose metadata is a replicated log applied into lmdb, served
 * on a client listener and a peer listener (BrokerListeners).
 */
export class Broker {
  private retentionTimer: NodeJS.Timeout | undefined;
  private cleanerTimer: NodeJS.Timeout | undefined;
  private readonly cleanerThread = new CleanerThread();
  private autoBalanceTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: BrokerConfig,
    private readonly listeners: BrokerListeners,
    private readonly frontEnds: readonly FrontEnd[],
    /** Where each front end is reached, by name. */
    private readonly advertised: Readonly<Record<string, string>>,
    private readonly parts: BrokerParts,
    private readonly store: MetadataStore,
    private readonly shutdown: AbortController,
    private readonly logger: Logger,
    private readonly reserver: FallocateReserver | null,
    /** Metrics and health; null when --metrics-port is 0. */
    private readonly http: HttpListener | null,
    private readonly metrics: BrokerMetrics,
    private readonly httpExtensions: readonly HttpExtension[],
  ) {}

  static async start(config: BrokerConfig, logger: Logger, options: BrokerStartOptions = {}): Promise<Broker> {
    const { createReplica = createReplicatedPartition, frontEnds = [], httpExtensions = [] } = options;
    setHeapGrowingPercent(config.heapGrowingPercent);
    const reserver = startPreallocation(config, logger);
    const dataDir = path.resolve(config.dataDir);
    claimBrokerId(dataDir, config.brokerId);
    const store = await MetadataStore.open(path.join(dataDir, 'meta'));
    const shutdown = new AbortController();
    const ctx = new StartingContext(config, logger, store, shutdown.signal);
    const listeners = new BrokerListeners(ctx);
    let parts: BrokerParts;
    let http: HttpListener | null = null;
    const advertised: Record<string, string> = {};
    try {
      const addresses = await listeners.bind();
      const surface = brokerSurface(ctx, addresses.client);
      // Up before the parts open: /readyz tells a probe the broker is starting rather than refusing it.
      if (config.metricsPort > 0) {
        const routes = brokerRoutes(ctx, ctx.metrics);
        for (const extension of httpExtensions) for (const [path, route] of extension.routes(surface)) routes.set(path, route);
        http = await HttpListener.start(config.host, config.metricsPort, routes, logger);
      }
      for (const frontEnd of frontEnds) advertised[frontEnd.name] = await frontEnd.start(surface);
      parts = await openBrokerParts({ ctx, dataDir, addresses, reserver, createReplica, listeners: advertised });
    } catch (err) {
      await Promise.all(frontEnds.map((f) => f.close().catch(() => undefined)));
      await http?.close();
      await Promise.all(httpExtensions.map((e) => e.close().catch(() => undefined)));
      ctx.metrics.close();
      listeners.forceShutdown();
      await store.close();
      reserver?.close();
      throw err;
    }
    const broker = new Broker(config, listeners, frontEnds, advertised, parts, store, shutdown, logger, reserver, http, ctx.metrics, httpExtensions);
    broker.startRetention();
    broker.startCleaner();
    if (config.autoBalance) broker.startAutoBalance(ctx);
    broker.logStarted(dataDir);
    return broker;
  }

  /** The client port actually bound (config.port may be 0). */
  get port(): number {
    return this.listeners.port;
  }

  get peerPort(): number {
    return this.listeners.peerPort;
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

  private startRetention(): void {
    this.retentionTimer = setInterval(() => void this.parts.topics.applyRetention(), this.config.retentionCheckIntervalMs);
    this.retentionTimer.unref();
  }

  /** Cleaner passes run one after another on the cleaner thread, `logCleanerBackoffMs` apart, each under the I/O cap. */
  private startCleaner(): void {
    const options = { dedupeBufferBytes: this.config.logCleanerDedupeBufferSize, ioBytesPerSecond: this.config.logCleanerIoMaxBytesPerSecond, thread: this.cleanerThread };
    const next = (): void => {
      this.cleanerTimer = setTimeout(() => {
        void this.parts.topics.cleanLogs(options).finally(() => {
          if (this.stopping === undefined) next();
        });
      }, this.config.logCleanerBackoffMs);
      this.cleanerTimer.unref();
    };
    next();
  }

  private startAutoBalance(ctx: BrokerContext): void {
    const balancer = new AutoBalancer(ctx, this.config.brokerSessionTimeoutMs);
    this.autoBalanceTimer = setInterval(() => balancer.check(), this.config.brokerHeartbeatMs);
    this.autoBalanceTimer.unref();
  }

  private logStarted(dataDir: string): void {
    const { config } = this;
    this.logger.info('broker.started', {
      brokerId: config.brokerId,
      host: config.host,
      port: this.port,
      peerPort: this.peerPort,
      metricsPort: this.http?.port ?? 0,
      dataDir,
      clusterId: this.parts.cluster.state.clusterId,
      listeners: this.advertised,
      peers: config.peers || (config.join ? `joined through ${config.join}` : 'none (a cluster of one)'),
      topics: this.parts.topics.list().length,
      heapGrowingPercent: config.heapGrowingPercent,
      logPreallocateBytes: config.logPreallocateBytes,
    });
  }

  private async doStop(): Promise<void> {
    this.logger.info('broker.stopping', {});
    clearInterval(this.retentionTimer);
    clearTimeout(this.cleanerTimer);
    await this.cleanerThread.close();
    clearInterval(this.autoBalanceTimer);
    this.shutdown.abort();
    this.parts.cluster.transport.endInbound();
    await Promise.all(this.frontEnds.map((f) => f.close()));
    await this.http?.close();
    await Promise.all(this.httpExtensions.map((e) => e.close()));
    this.metrics.close();
    await this.listeners.shutdown();
    this.parts.groups.close();
    try {
      await this.parts.topics.close();
      await this.parts.cluster.stop();
    } catch (err) {
      this.logger.error('broker.close_failed', errorFields(err));
    }
    await this.store.close();
    this.reserver?.close();
    this.logger.info('broker.stopped', {});
  }
}
