import * as crypto from 'crypto';
import * as fs from 'fs';
import { open, Database, RootDatabase } from 'lmdb';
import { BrokerError } from './errors';

export interface TopicRecord {
  name: string;
  /** Random id; a topic's log directories carry it, so a re-created topic never sees old data. */
  topicId: string;
  partitions: number;
  /** The topic's own configs (not defaults). */
  configs: Record<string, string>;
  createdAt: number;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
  commitTime: number;
}

type OffsetKey = [group: string, topic: string, partition: number];

/**
 * Broker metadata in lmdb: the cluster id, topics, and committed consumer
 * offsets. Writes resolve once lmdb has committed them durably. (A later
 * issue moves topics to the replicated metadata log and offsets to
 * __consumer_offsets; this class is the seam.)
 */
export class MetadataStore {
  private constructor(
    private readonly root: RootDatabase,
    private readonly meta: Database<string, string>,
    private readonly topics: Database<TopicRecord, string>,
    private readonly offsets: Database<Omit<OffsetCommit, 'topic' | 'partition'>, OffsetKey>,
  ) {}

  static async open(dir: string): Promise<MetadataStore> {
    await fs.promises.mkdir(dir, { recursive: true });
    const root = open({ path: dir });
    const store = new MetadataStore(
      root,
      root.openDB<string, string>({ name: 'meta' }),
      root.openDB<TopicRecord, string>({ name: 'topics' }),
      root.openDB<Omit<OffsetCommit, 'topic' | 'partition'>, OffsetKey>({ name: 'offsets' }),
    );
    if (store.meta.get('clusterId') === undefined) await store.meta.put('clusterId', crypto.randomUUID());
    return store;
  }

  clusterId(): string {
    return this.meta.get('clusterId') as string;
  }

  listTopics(): TopicRecord[] {
    return [...this.topics.getRange()].map((e) => e.value);
  }

  getTopic(name: string): TopicRecord | undefined {
    return this.topics.get(name);
  }

  async putTopic(topic: TopicRecord): Promise<void> {
    await this.topics.put(topic.name, topic);
  }

  /** Removes the topic and every group's committed offsets for it. */
  async deleteTopic(name: string): Promise<void> {
    await this.root.transaction(() => {
      this.topics.remove(name);
      for (const { key } of this.offsets.getRange()) if (key[1] === name) this.offsets.remove(key);
    });
  }

  async commitOffsets(group: string, commits: OffsetCommit[]): Promise<void> {
    if (group === '' || group.includes('\u0000')) throw new BrokerError('INVALID_REQUEST', 'group id must be non-empty text');
    await this.root.transaction(() => {
      for (const c of commits) {
        this.offsets.put([group, c.topic, c.partition], { offset: c.offset, metadata: c.metadata, commitTime: c.commitTime });
      }
    });
  }

  fetchOffsets(group: string, topic?: string): OffsetCommit[] {
    const result: OffsetCommit[] = [];
    for (const { key, value } of this.offsets.getRange()) {
      if (key[0] !== group || (topic && key[1] !== topic)) continue;
      result.push({ topic: key[1], partition: key[2], ...value });
    }
    return result;
  }

  listGroups(): string[] {
    const groups = new Set<string>();
    for (const { key } of this.offsets.getRange()) groups.add(key[0]);
    return [...groups].sort();
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
