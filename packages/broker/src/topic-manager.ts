import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CleanerThread, PartitionLog, Preallocation } from '@gregor/storage';
import type { ClusterNode } from './cluster/cluster-node';
import type { ClusterTopic } from './controller/metadata-commands';
import { placeReplicas } from './controller/placement';
import { hostsOf } from './controller/reassignment-rules';
import { BrokerError, NotLeaderError } from './errors';
import { Logger, errorFields } from './logger';
import { PartitionReplica } from './partition-replica';
import { effectiveTopicConfigs, toLogConfig, validateTopicConfigKey, validateTopicConfigs } from './topic-config';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function validateTopicName(name: string): void {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new BrokerError(
      'INVALID_TOPIC',
      `invalid topic name ${JSON.stringify(name)}: use 1-249 characters from [a-zA-Z0-9._-], not "." or ".."`,
    );
  }
}

/** Names of internal topics (__consumer_offsets) and of the metadata log (__cluster_metadata) start so; only the broker creates them. */
const INTERNAL_PREFIX = '__';

/** Refuses a user's request to create, delete or produce to a topic with a reserved name. */
export function refuseInternalTopic(name: string, action: 'create' | 'delete' | 'produce to' | 'add partitions to' | 'alter the configs of'): void {
  if (name.startsWith(INTERNAL_PREFIX)) {
    throw new BrokerError('INVALID_TOPIC', `cannot ${action} topic ${JSON.stringify(name)}: names starting with "${INTERNAL_PREFIX}" are reserved for internal topics`);
  }
}

export interface Topic {
  readonly record: ClusterTopic;
  /** This broker's replica of each partition; undefined where another broker holds it. */
  readonly partitions: readonly (PartitionReplica | undefined)[];
}

export interface TopicManagerOptions {
  dataDir: string;
  cluster: ClusterNode;
  topicDefaults: Record<string, string>;
  defaultPartitions: number;
  maxPartitionsPerTopic: number;
  defaultReplicationFactor: number;
  /** How long an admin call waits for its metadata change to reach this broker. */
  metadataTimeoutMs: number;
  /** Disk blocks reserved ahead of each partition's appends; null for none. */
  preallocation: Preallocation | null;
  logger: Logger;
}

/**
 * Topics as the cluster metadata log defines them, and this broker's replicas of their
 * partitions. Admin operations are proposed to the controller; every broker (this one included)
 * then reconciles its replicas with the applied metadata: it opens the partitions assigned to
 * it, applies config changes, and removes deleted topics. Each partition's files live in
 * <dataDir>/topics/<name>-<topicId>/<partition>.
 */
export class TopicManager {
  private readonly topics = new Map<string, Topic>();
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly options: TopicManagerOptions) {}

  static async open(options: TopicManagerOptions): Promise<TopicManager> {
    const manager = new TopicManager(options);
    await fs.promises.mkdir(manager.topicsDir, { recursive: true });
    await manager.reconcile();
    await manager.removeOrphanDirs();
    manager.unsubscribe = options.cluster.state.onChange(() => void manager.reconcile());
    return manager;
  }

  private get cluster(): ClusterNode {
    return this.options.cluster;
  }

  private get topicsDir(): string {
    return path.join(this.options.dataDir, 'topics');
  }

  private topicDir(record: ClusterTopic): string {
    return path.join(this.topicsDir, `${record.name}-${record.topicId}`);
  }

  /** Directories left by a crash in the middle of creating or deleting a topic. */
  private async removeOrphanDirs(): Promise<void> {
    const live = new Set([...this.topics.values()].map((t) => path.basename(this.topicDir(t.record))));
    for (const entry of await fs.promises.readdir(this.topicsDir)) {
      if (live.has(entry)) continue;
      this.options.logger.warn('topic.orphan_removed', { dir: entry });
      await fs.promises.rm(path.join(this.topicsDir, entry), { recursive: true, force: true });
    }
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Brings this broker's topics and replicas in line with the applied cluster metadata. */
  private reconcile(): Promise<void> {
    return this.serialize(async () => {
      if (this.closed) return;
      const desired = new Map(this.cluster.state.topics().map((t) => [t.name, t]));
      for (const [name, topic] of this.topics) {
        const wanted = desired.get(name);
        if (!wanted || wanted.topicId !== topic.record.topicId) await this.removeTopic(topic);
      }
      for (const record of desired.values()) {
        const current = this.topics.get(record.name);
        if (!current) {
          this.topics.set(record.name, await this.openTopic(record));
          continue;
        }
        if (JSON.stringify(current.record.configs) !== JSON.stringify(record.configs)) {
          const logConfig = toLogConfig(effectiveTopicConfigs(this.options.topicDefaults, record.configs));
          for (const replica of current.partitions) replica?.log.updateConfig(logConfig);
        }
        const partitions = [...current.partitions];
        const before = partitions.length;
        await this.syncPartitions(record, partitions);
        if (record.partitions > before) this.options.logger.info('topic.partitions_added', { topic: record.name, partitions: record.partitions });
        this.topics.set(record.name, { record, partitions });
      }
    });
  }

  private async openTopic(record: ClusterTopic): Promise<Topic> {
    const partitions: (PartitionReplica | undefined)[] = [];
    await this.syncPartitions(record, partitions);
    this.options.logger.info('topic.opened', { topic: record.name, partitions: record.partitions, hosted: partitions.filter(Boolean).length });
    return { record, partitions };
  }

  /**
   * Makes `partitions` hold this broker's replica of exactly the record's partitions it hosts: it
   * opens those newly assigned here (new partitions, or a move's new replicas) and closes and
   * deletes those a finished move took away. On a failure to open, closes what it opened.
   */
  private async syncPartitions(record: ClusterTopic, partitions: (PartitionReplica | undefined)[]): Promise<void> {
    const logConfig = toLogConfig(effectiveTopicConfigs(this.options.topicDefaults, record.configs));
    const opened: number[] = [];
    try {
      for (let p = 0; p < record.partitions; p++) {
        const assignment = record.assignments[p];
        const hosted = hostsOf(assignment).includes(this.cluster.brokerId);
        const current = partitions[p];
        const placement = { topic: record.name, topicId: record.topicId, partition: p, replicas: assignment.replicas, reassignment: assignment.reassignment };
        if (current && hosted) {
          this.cluster.updatePlacement(current.replication, placement);
        } else if (current) {
          partitions[p] = undefined;
          await this.dropReplica(record, p, current);
        } else if (hosted) {
          const dir = path.join(this.topicDir(record), String(p));
          const log = await PartitionLog.open(dir, logConfig, undefined, this.options.preallocation);
          partitions[p] = new PartitionReplica(record.name, p, log, (onHighWatermark) => this.cluster.openReplica(placement, log, dir, onHighWatermark));
          opened.push(p);
        } else {
          partitions[p] = undefined;
        }
      }
    } catch (err) {
      await Promise.allSettled(opened.map((p) => partitions[p]?.close()));
      for (const p of opened) partitions[p] = undefined;
      throw err;
    }
  }

  /** A move took this partition off this broker: its replica is out of the Raft group, so its files go. */
  private async dropReplica(record: ClusterTopic, partition: number, replica: PartitionReplica): Promise<void> {
    this.cluster.closeReplica(replica.replication);
    await replica.close();
    await fs.promises.rm(path.join(this.topicDir(record), String(partition)), { recursive: true, force: true });
    this.options.logger.info('partition.replica_removed', { partition: replica.name });
  }

  private async removeTopic(topic: Topic): Promise<void> {
    this.topics.delete(topic.record.name);
    for (const replica of topic.partitions) {
      if (!replica) continue;
      this.cluster.closeReplica(replica.replication);
      await replica.close();
    }
    await fs.promises.rm(this.topicDir(topic.record), { recursive: true, force: true });
    this.options.logger.info('topic.removed', { topic: topic.record.name });
  }

  get(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw new BrokerError('UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(name)}`);
    return topic;
  }

  /** This broker's replica of a partition; NOT_LEADER naming the likely leader when it holds none. */
  partition(name: string, partition: number): PartitionReplica {
    const topic = this.get(name);
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.record.partitions) {
      throw new BrokerError(
        'UNKNOWN_PARTITION',
        `unknown partition ${partition} of topic ${JSON.stringify(name)} (it has ${topic.record.partitions})`,
      );
    }
    const replica = topic.partitions[partition];
    if (replica) return replica;
    const assignment = topic.record.assignments[partition];
    const hint = assignment.leader || assignment.replicas[0];
    throw new NotLeaderError(`${name}-${partition}`, hint, this.cluster.addressOf(hint));
  }

  list(): Topic[] {
    return [...this.topics.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
  }

  effectiveConfigs(topic: Topic): Record<string, string> {
    return effectiveTopicConfigs(this.options.topicDefaults, topic.record.configs);
  }

  /** What `create` would do, or the error it would throw, creating nothing (Kafka's validate-only). */
  checkCreate(name: string, partitions: number, configs: Record<string, string>, replicationFactor = 0): { count: number; factor: number; live: number[] } {
    validateTopicName(name);
    const count = partitions === 0 ? this.options.defaultPartitions : partitions;
    if (!Number.isInteger(count) || count < 1 || count > this.options.maxPartitionsPerTopic) {
      throw new BrokerError('INVALID_CONFIG', `partitions must be in [1, ${this.options.maxPartitionsPerTopic}], got ${partitions}`);
    }
    validateTopicConfigs(configs);
    if (this.cluster.state.topic(name)) throw new BrokerError('TOPIC_EXISTS', `topic ${JSON.stringify(name)} already exists`);
    const live = this.cluster.state.brokers().filter((b) => !b.fenced).map((b) => b.id);
    if (live.length === 0) throw new BrokerError('LEADER_NOT_AVAILABLE', 'no broker has registered with the controller yet; retry shortly');
    if (!Number.isInteger(replicationFactor) || replicationFactor < 0) {
      throw new BrokerError('INVALID_REPLICATION_FACTOR', `replication factor must be positive, got ${replicationFactor}`);
    }
    // An asked-for factor is a promise about durability: refuse it rather than place fewer replicas
    // (as Kafka does). The default shrinks to the live brokers, so a small cluster still works.
    if (replicationFactor > live.length) {
      throw new BrokerError('INVALID_REPLICATION_FACTOR', `replication factor ${replicationFactor} exceeds the ${live.length} live broker(s)`);
    }
    return { count, factor: replicationFactor || this.options.defaultReplicationFactor, live };
  }

  async create(name: string, partitions: number, configs: Record<string, string>, replicationFactor = 0): Promise<Topic> {
    const { count, factor, live } = this.checkCreate(name, partitions, configs, replicationFactor);
    const topicId = crypto.randomBytes(8).toString('hex');
    const record: ClusterTopic = {
      name,
      topicId,
      partitions: count,
      configs: { ...configs },
      createdAt: Date.now(),
      assignments: placeReplicas(live, count, factor, this.cluster.state.topics().length).map((replicas) => ({ replicas, leader: 0, leaderTerm: 0 })),
    };
    await this.cluster.propose({ type: 'createTopic', topic: record });
    await this.cluster.awaitMetadata(() => this.cluster.state.topic(name)?.topicId === topicId, this.options.metadataTimeoutMs);
    await this.reconcile();
    this.options.logger.info('topic.created', { topic: name, partitions: count, replicationFactor: Math.min(factor, live.length), configs });
    return this.get(name);
  }

  async delete(name: string): Promise<void> {
    this.get(name);
    await this.cluster.propose({ type: 'deleteTopic', name });
    await this.cluster.awaitMetadata(() => !this.cluster.state.topic(name), this.options.metadataTimeoutMs);
    await this.reconcile();
  }

  /** The topic's own configs once `set` and `reset` are applied, or the error `alterConfigs` would throw, changing nothing. */
  checkAlterConfigs(name: string, set: Record<string, string>, reset: string[]): Record<string, string> {
    const topic = this.get(name);
    if (Object.keys(set).length === 0 && reset.length === 0) {
      throw new BrokerError('INVALID_REQUEST', `nothing to alter for topic ${JSON.stringify(name)}: name at least one config to set or reset`);
    }
    validateTopicConfigs(set);
    reset.forEach(validateTopicConfigKey);
    const configs = { ...topic.record.configs, ...set };
    for (const key of reset) delete configs[key];
    return configs;
  }

  async alterConfigs(name: string, set: Record<string, string>, reset: string[]): Promise<Topic> {
    const configs = this.checkAlterConfigs(name, set, reset);
    await this.cluster.propose({ type: 'alterTopicConfigs', name, configs });
    const wanted = JSON.stringify(configs);
    await this.cluster.awaitMetadata(() => JSON.stringify(this.cluster.state.topic(name)?.configs) === wanted, this.options.metadataTimeoutMs);
    await this.reconcile();
    this.options.logger.info('topic.configs_altered', { topic: name, set, reset });
    return this.get(name);
  }

  /** What `addPartitions` would do, or the error it would throw, changing nothing. */
  checkAddPartitions(name: string, count: number): { topic: Topic; current: number; live: number[]; factor: number } {
    const topic = this.get(name);
    const current = topic.record.partitions;
    if (!Number.isInteger(count) || count <= current || count > this.options.maxPartitionsPerTopic) {
      throw new BrokerError('INVALID_CONFIG', `topic ${JSON.stringify(name)} has ${current} partitions: the new count must be in [${current + 1}, ${this.options.maxPartitionsPerTopic}], got ${count}`);
    }
    const live = this.cluster.state.brokers().filter((b) => !b.fenced).map((b) => b.id);
    const factor = topic.record.assignments[0].replicas.length;
    if (factor > live.length) throw new BrokerError('INVALID_REPLICATION_FACTOR', `replication factor ${factor} of ${name} exceeds the ${live.length} live broker(s)`);
    return { topic, current, live, factor };
  }

  /**
   * Grows a topic to `count` partitions (never fewer: records keep the partition they were written
   * to). New partitions get the replication factor of the topic's first partition, placed over the
   * live brokers as a new topic's would be.
   */
  async addPartitions(name: string, count: number): Promise<Topic> {
    const { topic, current, live, factor } = this.checkAddPartitions(name, count);
    const placed = placeReplicas(live, count, factor, this.cluster.state.topics().length).slice(current);
    const { topicId } = topic.record;
    await this.cluster.propose({ type: 'addPartitions', name, topicId, from: current, assignments: placed.map((replicas) => ({ replicas, leader: 0, leaderTerm: 0 })) });
    await this.cluster.awaitMetadata(() => (this.cluster.state.topic(name)?.partitions ?? 0) >= count, this.options.metadataTimeoutMs);
    await this.reconcile();
    this.options.logger.info('topic.partitions_altered', { topic: name, from: current, to: count });
    return this.get(name);
  }

  /** Deletes old segments of every local replica, never past its commit index. */
  async applyRetention(): Promise<void> {
    for (const topic of this.topics.values()) {
      for (const replica of topic.partitions) {
        if (!replica) continue;
        try {
          const deleted = await replica.log.applyRetention({
            below: replica.highWatermark,
            beforeDelete: (start, last) => replica.replication.recordLogStart(start, last.term),
          });
          if (deleted > 0) {
            this.options.logger.info('retention.applied', { partition: replica.name, segmentsDeleted: deleted, logStartOffset: replica.logStartOffset });
          }
        } catch (err) {
          this.options.logger.error('retention.failed', { partition: replica.name, ...errorFields(err) });
        }
      }
    }
  }

  /** One pass of the log cleaner over every local replica whose topic compacts, never past its commit point. */
  async cleanLogs(options: { dedupeBufferBytes: number; ioBytesPerSecond: number; thread: CleanerThread }): Promise<void> {
    for (const topic of this.topics.values()) {
      for (const replica of topic.partitions) {
        if (!replica || this.closed) continue;
        try {
          const report = await replica.log.clean({ below: replica.highWatermark, ...options });
          if (report && report.segmentsRewritten > 0) this.options.logger.info('cleaner.cleaned', { partition: replica.name, ...report });
        } catch (err) {
          // LOG_CLOSED: the partition or the broker is going away, and the copy with it.
          if (!this.closed && (err as { code?: string }).code !== 'LOG_CLOSED') this.options.logger.error('cleaner.failed', { partition: replica.name, ...errorFields(err) });
        }
      }
    }
  }

  /** Stops every replica, then flushes and closes every log. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    await this.queue;
    const replicas = [...this.topics.values()].flatMap((t) => t.partitions).filter((r): r is PartitionReplica => r !== undefined);
    const results = await Promise.allSettled(replicas.map((r) => r.close()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.options.logger.error('partition.close_failed', { partition: replicas[i].name, ...errorFields(r.reason) });
    });
    this.topics.clear();
  }
}
