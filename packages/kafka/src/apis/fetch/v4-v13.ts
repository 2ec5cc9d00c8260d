import type { VersionedReader, VersionedWriter } from '../../versioned';
import type { FetchRequest, FetchResponse } from './types';

/**
 * Fetch v4-v13 (flexible from 12): v4 adds the isolation level and transaction fields, v5 log
 * start offsets, v7 fetch sessions, v9 leader epochs, v11 the rack, v12 the last fetched epoch,
 * v13 topic ids in place of names. No fetch session is ever created (session id 0 answered), so
 * clients send full requests and forgotten topics are read and ignored.
 */
export function decodeRequest(r: VersionedReader): FetchRequest {
  const v = r.version;
  r.int32();
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  const isolationLevel = r.int8();
  if (v >= 7) {
    r.int32();
    r.int32();
  }
  const topics = r.array((t) => {
    const topicId = v >= 13 ? t.uuid() : null;
    const name = v >= 13 ? null : t.string();
    const partitions = t.array((p) => {
      const partition = p.int32();
      if (v >= 9) p.int32();
      const fetchOffset = Number(p.int64());
      if (v >= 12) p.int32();
      if (v >= 5) p.int64();
      const partitionMaxBytes = p.int32();
      p.tags();
      return { partition, fetchOffset, partitionMaxBytes };
    });
    t.tags();
    return { name, topicId, partitions };
  });
  if (v >= 7) {
    r.array((f) => {
      if (v >= 13) f.uuid();
      else f.string();
      f.array((p) => p.int32());
      f.tags();
    });
  }
  if (v >= 11) r.string();
  r.tags();
  return { maxWaitMs, minBytes, maxBytes, isolationLevel, topics };
}

export function encodeResponse(w: VersionedWriter, response: FetchResponse): void {
  const v = w.version;
  w.int32(0);
  if (v >= 7) w.int16(response.errorCode).int32(0);
  w.array(response.topics, (t, topic) => {
    if (v >= 13) t.uuid(topic.topicId);
    else t.string(topic.name);
    t.array(topic.partitions, (p, partition) => {
      p.int32(partition.partitionIndex).int16(partition.errorCode).int64(partition.highWatermark);
      // Without transactions, everything below the high watermark is stable.
      p.int64(partition.highWatermark);
      if (v >= 5) p.int64(partition.logStartOffset);
      p.nullableArray(null, () => undefined);
      if (v >= 11) p.int32(-1);
      p.nullableBytes(partition.records);
      p.tags();
    });
    t.tags();
  });
  w.tags();
}
