import { decodeBatch, encodeBatch, isControlBatch, iterateBatches } from '@gregor/records';
import { BrokerError } from '../errors';
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
/** How long a read waits for a new leader to learn its commit index: an election timeout or two. */
const COMMIT_KNOWN_TIMEOUT_MS = 10_000;

/**
 * The groups whose offsets one partition of __consumer_offsets holds: every commit is a record
 * (key: group, topic, partition; value: offset and metadata), and the latest per key wins. The
 * map is a fold of the committed log in offset order, each batch applied once whichever term
 * wrote it; reads on the leader first fold in everything up to the whole commit index.
 */
export class OffsetsPartition {
  private readonly groups = new Map<string, Map<string, StoredCommit>>();
  /** Every committed batch below this offset is in the map. */
  private applied: number;
  private folding: Promise<void> | null = null;

  constructor(readonly replica: PartitionReplica) {
    this.applied = replica.logStartOffset;
  }

  /** Resolves once the commit is committed; reads see it from then on. */
  async commit(group: string, commits: readonly OffsetCommit[], topicIdOf: (topic: string) => string): Promise<void> {
    const stored = commits.map((c) => ({ ...c, topicId: topicIdOf(c.topic) }));
    const batch = encodeBatch(
      stored.map((c) => ({ key: Buffer.from(JSON.stringify([group, c.topic, c.partition])), value: Buffer.from(JSON.stringify(c)), timestamp: c.commitTime })),
    );
    await this.replica.append(batch, 'all');
  }

  async fetch(group: string, topic: string | undefined, topicIdOf: (topic: string) => string | undefined): Promise<OffsetCommit[]> {
    await this.catchUp();
    const result: OffsetCommit[] = [];
    for (const c of this.groups.get(group)?.values() ?? []) {
      if ((topic && c.topic !== topic) || topicIdOf(c.topic) !== c.topicId) continue;
      result.push({ topic: c.topic, partition: c.partition, offset: c.offset, metadata: c.metadata, commitTime: c.commitTime });
    }
    return result.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  async groupIds(): Promise<string[]> {
    await this.catchUp();
    return [...this.groups.keys()];
  }

  private remember(group: string, commit: StoredCommit): void {
    let offsets = this.groups.get(group);
    if (!offsets) this.groups.set(group, (offsets = new Map()));
    offsets.set(`${commit.topic}\u0000${commit.partition}`, commit);
  }

  /** One fold runs at a time; a caller whose target it stopped short of starts the next. */
  private async catchUp(): Promise<void> {
    const target = await this.replica.completeHighWatermark(COMMIT_KNOWN_TIMEOUT_MS);
    while (this.applied < target) {
      this.folding ??= this.foldCommitted().finally(() => (this.folding = null));
      await this.folding;
    }
  }

  private async foldCommitted(): Promise<void> {
    while (this.applied < this.replica.highWatermark) {
      const { bytes, nextOffset } = await this.replica.read(this.applied, READ_BYTES);
      if (bytes.length === 0) throw new BrokerError('INTERNAL', `${this.replica.name} returned nothing at committed offset ${this.applied}`);
      for (const { position, header } of iterateBatches(bytes)) {
        if (isControlBatch(header.attributes)) continue;
        for (const record of decodeBatch(bytes, position).records) {
          const [group] = JSON.parse(record.key!.toString()) as [string];
          this.remember(group, JSON.parse(record.value!.toString()) as StoredCommit);
        }
      }
      this.applied = nextOffset;
    }
  }
}
