import * as crypto from 'crypto';
import * as fs from 'fs';
import { open, Database, RootDatabase } from 'lmdb';
import { BrokerError } from './errors';

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
  commitTime: number;
}

type OffsetKey = [group: string, topic: string, partition: number];

/**
 * This broker's lmdb environment: the cluster id and committed consumer offsets here, and (in
 * the same environment, through `root`) the ClusterState materialised from the metadata log.
 * Writes resolve once lmdb has committed them durably.
 */
export class MetadataStore {
  private constructor(
    readonly root: RootDatabase,
    private readonly meta: Database<string, string>,
    private readonly offsets: Database<Omit<OffsetCommit, 'topic' | 'partition'>, OffsetKey>,
  ) {}

  static async open(dir: string): Promise<MetadataStore> {
    await fs.promises.mkdir(dir, { recursive: true });
    const root = open({ path: dir });
    const store = new MetadataStore(
      root,
      root.openDB<string, string>({ name: 'meta' }),
      root.openDB<Omit<OffsetCommit, 'topic' | 'partition'>, OffsetKey>({ name: 'offsets' }),
    );
    if (store.meta.get('clusterId') === undefined) await store.meta.put('clusterId', crypto.randomUUID());
    return store;
  }

  clusterId(): string {
    return this.meta.get('clusterId') as string;
  }

  /** Removes every group's committed offsets for a deleted topic. */
  async deleteOffsetsOf(topic: string): Promise<void> {
    await this.root.transaction(() => {
      for (const { key } of this.offsets.getRange()) if (key[1] === topic) this.offsets.remove(key);
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
