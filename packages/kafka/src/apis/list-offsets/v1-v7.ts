import type { VersionedReader, VersionedWriter } from '../../versioned';
import type { ListOffsetsRequest, ListOffsetsResponse } from './types';

/**
 * ListOffsets v1-v7 (flexible from 6): v1 answers one offset and its timestamp, v2 adds the
 * isolation level and throttle time, v4 leader epochs, v7 the max-timestamp query (-3).
 */
export function decodeRequest(r: VersionedReader): ListOffsetsRequest {
  const v = r.version;
  r.int32();
  if (v >= 2) r.int8();
  const topics = r.array((t) => {
    const name = t.string();
    const partitions = t.array((p) => {
      const partitionIndex = p.int32();
      if (v >= 4) p.int32();
      const timestamp = Number(p.int64());
      p.tags();
      return { partitionIndex, timestamp };
    });
    t.tags();
    return { name, partitions };
  });
  r.tags();
  return { topics };
}

export function encodeResponse(w: VersionedWriter, response: ListOffsetsResponse): void {
  const v = w.version;
  if (v >= 2) w.int32(0);
  w.array(response.topics, (t, topic) => {
    t.string(topic.name);
    t.array(topic.partitions, (p, partition) => {
      p.int32(partition.partitionIndex).int16(partition.errorCode).int64(partition.timestamp).int64(partition.offset);
      if (v >= 4) p.int32(partition.leaderEpoch);
      p.tags();
    });
    t.tags();
  });
  w.tags();
}
