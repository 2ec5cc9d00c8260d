import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { services } from '@gregor/proto';
import type { BrokerConfig } from './config';
import type { BrokerContext } from './context';
import { Logger, errorFields } from './logger';
import { MetadataStore } from './metadata-store';
import { adminService } from './services/admin-service';
import { groupsService } from './services/groups-service';
import { healthService } from './services/health-service';
import { logService } from './services/log-service';
import { TopicManager } from './topic-manager';

/** Room for protobuf framing around a max-size batch. */
const MESSAGE_OVERHEAD_BYTES = 64 * 1024;

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/**
 * A single-node Gregor broker: metadata in lmdb, one PartitionLog per
 * partition, the gregor.v1 services and grpc.health.v1 on one port.
 */
export class Broker {
  private retentionTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: BrokerConfig,
    readonly port: number,
    private readonly server: grpc.Server,
    private readonly topics: TopicManager,
    private readonly store: MetadataStore,
    private readonly shutdown: AbortController,
    private readonly logger: Logger,
  ) {}

  static async start(config: BrokerConfig, logger: Logger): Promise<Broker> {
    const dataDir = path.resolve(config.dataDir);
    const store = await MetadataStore.open(path.join(dataDir, 'meta'));
    let topics: TopicManager;
    try {
      topics = await TopicManager.open({
        dataDir,
        store,
        topicDefaults: config.topicDefaults,
        defaultPartitions: config.defaultPartitions,
        maxPartitionsPerTopic: config.maxPartitionsPerTopic,
        logger,
      });
    } catch (err) {
      await store.close();
      throw err;
    }
    const shutdown = new AbortController();
    const server = new grpc.Server({
      'grpc.max_receive_message_length': config.maxRequestBytes + MESSAGE_OVERHEAD_BYTES,
      'grpc.max_send_message_length': -1,
    });
    let boundPort = config.port;
    const ctx: BrokerContext = { config, logger, topics, store, shutdownSignal: shutdown.signal, boundPort: () => boundPort };
    server.addService(services.Log.service, logService(ctx));
    server.addService(services.Admin.service, adminService(ctx));
    server.addService(services.Groups.service, groupsService(ctx));
    server.addService(services.Health.service, healthService(ctx));
    try {
      boundPort = await bind(server, `${config.host}:${config.port}`);
    } catch (err) {
      await topics.close();
      await store.close();
      throw err;
    }
    const broker = new Broker(config, boundPort, server, topics, store, shutdown, logger);
    broker.retentionTimer = setInterval(() => void topics.applyRetention(), config.retentionCheckIntervalMs);
    broker.retentionTimer.unref();
    logger.info('broker.started', {
      brokerId: config.brokerId,
      host: config.host,
      port: boundPort,
      dataDir,
      clusterId: store.clusterId(),
      topics: topics.list().length,
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
      await this.topics.close();
    } catch (err) {
      this.logger.error('broker.close_failed', errorFields(err));
    }
    await this.store.close();
    this.logger.info('broker.stopped', {});
  }
}
