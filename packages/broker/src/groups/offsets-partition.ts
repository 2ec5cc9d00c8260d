import { decodeBatch, encodeBatch, isControlBatch, iterateBatches } from '@gregor/records';
import type { PartitionReplica } from '../partition-replica';

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
  commitTime: number;
}

interface StoredCommit extends OffsetCommit {
  /** The topic's id when committed: a deleted and re-created topic does not inherit old offsets. */
  topicId: string;
}

const READ_BYTES = 1024 * 1024;

/**
 * The groups whose offsets one partition of __consumer_offsets holds, as its leader sees them:
 * every commit is a record (key: group, topic, partition; value: offset and metadata), and the
 * latest per key wins. The map is rebuilt from the log whenever this replica starts a new term
 * as leader, and kept current by the commits it writes.
 */
export class OffsetsPartition {
  private readonly groups = new Map<string, Map<string, StoredCommit>>();
  private loadedTerm = -1;
  private loading: Promise<void> | null = null;

  constructor(readonly replica: PartitionReplica) {}

  async commit(group: string, commits: readonly OffsetCommit[], topicIdOf: (topic: string) => string): Promise<void> {
    await this.ensureLoaded();
    const stored = commits.map((c) => ({ ...c, topicId: topicIdOf(c.topic) }));
    const batch = encodeBatch(
      stored.map((c) => ({ key: Buffer.from(JSON.stringify([group, c.topic, c.partition])), value: Buffer.from(JSON.stringify(c)), timestamp: c.commitTime })),
    );
    await this.replica.append(batch, 'all');
    for (const c of stored) this.remember(group, c);
  }

  async fetch(group: string, topic: string | undefined, topicIdOf: (topic: string) => string | undefined): Promise<OffsetCommit[]> {
    await this.ensureLoaded();
    const result: OffsetCommit[] = [];
    for (const c of this.groups.get(group)?.values() ?? []) {
      if ((topic && c.topic !== topic) || topicIdOf(c.topic) !== c.topicId) continue;
      result.push({ topic: c.topic, partition: c.partition, offset: c.offset, metadata: c.metadata, commitTime: c.commitTime });
    }
    return result.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  async groupIds(): Promise<string[]> {
    await this.ensureLoaded();
    return [...this.groups.keys()];
  }

  private remember(group: string, commit: StoredCommit): void {
    let offsets = this.groups.get(group);
    if (!offsets) this.groups.set(group, (offsets = new Map()));
    offsets.set(`${commit.topic}\u0000${commit.partition}`, commit);
  }

  private ensureLoaded(): Promise<void> {
    this.replica.requireLeader();
    const term = this.replica.replication.node.raft.term;
    if (this.loadedTerm === term) return Promise.resolve();
    this.loading ??= this.load(term).finally(() => (this.loading = null));
    return this.loading;
  }

  /** Folds every committed commit record of the partition into the map. */
  private async load(term: number): Promise<void> {
    this.groups.clear();
    let offset = this.replica.logStartOffset;
    while (offset < this.replica.highWatermark) {
      const { bytes, nextOffset } = await this.replica.read(offset, READ_BYTES);
      if (bytes.length === 0) break;
      for (const { position, header } of iterateBatches(bytes)) {
        if (isControlBatch(header.attributes)) continue;
        for (const record of decodeBatch(bytes, position).records) {
          const [group] = JSON.parse(record.key!.toString()) as [string];
          this.remember(group, JSON.parse(record.value!.toString()) as StoredCommit);
        }
      }
      offset = nextOffset;
    }
    this.loadedTerm = term;
  }
}
