import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PartitionLog } from '@gregor/storage';
import { BrokerError } from './errors';
import { Logger, errorFields } from './logger';
import { MetadataStore, TopicRecord } from './metadata-store';
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

export interface Topic {
  readonly record: TopicRecord;
  readonly partitions: readonly PartitionReplica[];
}

export interface TopicManagerOptions {
  dataDir: string;
  store: MetadataStore;
  topicDefaults: Record<string, string>;
  defaultPartitions: number;
  maxPartitionsPerTopic: number;
  logger: Logger;
}

/**
 * Topics and their partition replicas on this broker. Each partition's log
 * lives in <dataDir>/topics/<name>-<topicId>/<partition>. Admin operations
 * run one at a time; reads of the topic map are lock-free.
 */
export class TopicManager {
  private readonly topics = new Map<string, Topic>();
  private adminQueue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: TopicManagerOptions) {}

  static async open(options: TopicManagerOptions): Promise<TopicManager> {
    const manager = new TopicManager(options);
    await fs.promises.mkdir(manager.topicsDir, { recursive: true });
    for (const record of options.store.listTopics()) {
      manager.topics.set(record.name, await manager.openTopic(record));
    }
    await manager.removeOrphanDirs();
    return manager;
  }

  private get topicsDir(): string {
    return path.join(this.options.dataDir, 'topics');
  }

  private topicDir(record: TopicRecord): string {
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

  private async openTopic(record: TopicRecord): Promise<Topic> {
    const logConfig = toLogConfig(effectiveTopicConfigs(this.options.topicDefaults, record.configs));
    const partitions: PartitionReplica[] = [];
    try {
      for (let p = 0; p < record.partitions; p++) {
        const log = await PartitionLog.open(path.join(this.topicDir(record), String(p)), logConfig);
        partitions.push(new PartitionReplica(record.name, p, log));
      }
    } catch (err) {
      await Promise.allSettled(partitions.map((r) => r.close()));
      throw err;
    }
    return { record, partitions };
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.adminQueue.then(operation);
    this.adminQueue = result.catch(() => undefined);
    return result;
  }

  get(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw new BrokerError('UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(name)}`);
    return topic;
  }

  partition(name: string, partition: number): PartitionReplica {
    const topic = this.get(name);
    const replica = topic.partitions[partition];
    if (!replica) {
      throw new BrokerError(
        'UNKNOWN_PARTITION',
        `unknown partition ${partition} of topic ${JSON.stringify(name)} (it has ${topic.partitions.length})`,
      );
    }
    return replica;
  }

  list(): Topic[] {
    return [...this.topics.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
  }

  effectiveConfigs(topic: Topic): Record<string, string> {
    return effectiveTopicConfigs(this.options.topicDefaults, topic.record.configs);
  }

  create(name: string, partitions: number, configs: Record<string, string>): Promise<Topic> {
    return this.serialize(async () => {
      validateTopicName(name);
      const count = partitions === 0 ? this.options.defaultPartitions : partitions;
      if (!Number.isInteger(count) || count < 1 || count > this.options.maxPartitionsPerTopic) {
        throw new BrokerError('INVALID_CONFIG', `partitions must be in [1, ${this.options.maxPartitionsPerTopic}], got ${partitions}`);
      }
      validateTopicConfigs(configs);
      if (this.topics.has(name)) throw new BrokerError('TOPIC_EXISTS', `topic ${JSON.stringify(name)} already exists`);
      const record: TopicRecord = {
        name,
        topicId: crypto.randomBytes(8).toString('hex'),
        partitions: count,
        configs: { ...configs },
        createdAt: Date.now(),
      };
      const topic = await this.openTopic(record);
      await this.options.store.putTopic(record);
      this.topics.set(name, topic);
      this.options.logger.info('topic.created', { topic: name, partitions: count, configs });
      return topic;
    });
  }

  delete(name: string): Promise<void> {
    return this.serialize(async () => {
      const topic = this.get(name);
      await this.options.store.deleteTopic(name);
      this.topics.delete(name);
      await Promise.allSettled(topic.partitions.map((r) => r.close()));
      await fs.promises.rm(this.topicDir(topic.record), { recursive: true, force: true });
      this.options.logger.info('topic.deleted', { topic: name });
    });
  }

  alterConfigs(name: string, set: Record<string, string>, reset: string[]): Promise<Topic> {
    return this.serialize(async () => {
      const topic = this.get(name);
      validateTopicConfigs(set);
      reset.forEach(validateTopicConfigKey);
      const configs = { ...topic.record.configs, ...set };
      for (const key of reset) delete configs[key];
      const logConfig = toLogConfig(effectiveTopicConfigs(this.options.topicDefaults, configs));
      const record: TopicRecord = { ...topic.record, configs };
      await this.options.store.putTopic(record);
      for (const replica of topic.partitions) replica.log.updateConfig(logConfig);
      const updated: Topic = { record, partitions: topic.partitions };
      this.topics.set(name, updated);
      this.options.logger.info('topic.configs_altered', { topic: name, set, reset });
      return updated;
    });
  }

  async applyRetention(): Promise<void> {
    for (const topic of this.topics.values()) {
      for (const replica of topic.partitions) {
        try {
          const deleted = await replica.log.applyRetention();
          if (deleted > 0) {
            this.options.logger.info('retention.applied', { partition: replica.name, segmentsDeleted: deleted, logStartOffset: replica.logStartOffset });
          }
        } catch (err) {
          this.options.logger.error('retention.failed', { partition: replica.name, ...errorFields(err) });
        }
      }
    }
  }

  /** Flushes and closes every log. */
  async close(): Promise<void> {
    await this.adminQueue;
    const replicas = [...this.topics.values()].flatMap((t) => t.partitions);
    const results = await Promise.allSettled(replicas.map((r) => r.close()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.options.logger.error('partition.close_failed', { partition: replicas[i].name, ...errorFields(r.reason) });
    });
    this.topics.clear();
  }
}
