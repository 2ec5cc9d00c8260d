import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface FetchedPartition {
  partitionIndex: number;
  /** -1: nothing committed. */
  committedOffset: number;
  metadata: string | null;
  errorCode: number;
}

export interface FetchedTopic {
  name: string;
  partitions: FetchedPartition[];
}

export interface OffsetFetchGroup {
  groupId: string;
  /** null: every partition the group has committed. */
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export interface OffsetFetchGroupAnswer {
  groupId: string;
  topics: FetchedTopic[];
  errorCode: number;
}

/**
 * OffsetFetch v0-v8 (flexible from 6): v2 may ask for every topic (null) and answers a group-level
 * error, v5 leader epochs, v7 a require-stable flag (no transactions here: every offset is
 * stable), v8 many groups at once.
 */
export function decodeRequest(r: VersionedReader): OffsetFetchGroup[] {
  const v = r.version;
  const topicsOf = (t: VersionedReader) => {
    const name = t.string();
    const partitionIndexes = t.array((p) => p.int32());
    t.tags();
    return { name, partitionIndexes };
  };
  let groups: OffsetFetchGroup[];
  if (v <= 7) {
    const groupId = r.string();
    const topics = v >= 2 ? r.nullableArray(topicsOf) : r.array(topicsOf);
    groups = [{ groupId, topics }];
  } else {
    groups = r.array((g) => {
      const groupId = g.string();
      const topics = g.nullableArray(topicsOf);
      g.tags();
      return { groupId, topics };
    });
  }
  if (v >= 7) r.boolean();
  r.tags();
  return groups;
}

export function encodeResponse(w: VersionedWriter, answers: readonly OffsetFetchGroupAnswer[]): void {
  const v = w.version;
  if (v >= 3) w.int32(0);
  const topics = (t: VersionedWriter, topic: FetchedTopic) => {
    t.string(topic.name);
    t.array(topic.partitions, (p, partition) => {
      p.int32(partition.partitionIndex).int64(partition.committedOffset);
      if (v >= 5) p.int32(-1);
      p.nullableString(partition.metadata).int16(partition.errorCode);
      p.tags();
    });
    t.tags();
  };
  if (v <= 7) {
    const answer = answers[0];
    w.array(answer.topics, topics);
    if (v >= 2) w.int16(answer.errorCode);
  } else {
    w.array(answers, (g, answer) => {
      g.string(answer.groupId);
      g.array(answer.topics, topics);
      g.int16(answer.errorCode);
      g.tags();
    });
  }
  w.tags();
}
