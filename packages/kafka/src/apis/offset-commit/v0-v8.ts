import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface KafkaOffsetCommitRequest {
  groupId: string;
  /** -1 (and an empty member id) commits outside membership, as v0 always does. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; metadata: string | null }> }>;
}

export interface KafkaOffsetCommitResponse {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

/**
 * OffsetCommit v0-v8 (flexible from 8): v1 adds the generation and member id (and, in v1 only,
 * a commit time per partition), v2-v4 a retention time, v6 leader epochs, v7 group instance ids.
 * The retention time and commit time are read and not used: offsets are kept as the topic's
 * retention keeps them.
 */
export function decodeRequest(r: VersionedReader): KafkaOffsetCommitRequest {
  const v = r.version;
  const groupId = r.string();
  const generationId = v >= 1 ? r.int32() : -1;
  const memberId = v >= 1 ? r.string() : '';
  const groupInstanceId = v >= 7 ? r.nullableString() : null;
  if (v >= 2 && v <= 4) r.int64();
  const topics = r.array((t) => {
    const name = t.string();
    const partitions = t.array((p) => {
      const partitionIndex = p.int32();
      const committedOffset = Number(p.int64());
      if (v >= 6) p.int32();
      if (v === 1) p.int64();
      const metadata = p.nullableString();
      p.tags();
      return { partitionIndex, committedOffset, metadata };
    });
    t.tags();
    return { name, partitions };
  });
  r.tags();
  return { groupId, generationId, memberId, groupInstanceId, topics };
}

export function encodeResponse(w: VersionedWriter, response: KafkaOffsetCommitResponse): void {
  if (w.version >= 3) w.int32(0);
  w.array(response.topics, (t, topic) => {
    t.string(topic.name);
    t.array(topic.partitions, (p, partition) => {
      p.int32(partition.partitionIndex).int16(partition.errorCode);
      p.tags();
    });
    t.tags();
  });
  w.tags();
}
