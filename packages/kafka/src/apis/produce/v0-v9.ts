import type { VersionedReader, VersionedWriter } from '../../versioned';
import type { ProduceRequest, ProduceResponse } from './types';

/**
 * Produce v0-v9 (flexible from 9). v0-v2 carry the old message formats, which are never stored:
 * they are read only to be refused (see serveProduce). v1 answers the throttle time, v2 the log
 * append time, v3 brings RecordBatch v2 and a transactional id, v5 answers the log start offset,
 * v8 per-batch errors and an error message.
 */
export function decodeRequest(r: VersionedReader): ProduceRequest {
  const transactionalId = r.version >= 3 ? r.nullableString() : null;
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics = r.array((t) => {
    const name = t.string();
    const partitions = t.array((p) => {
      const index = p.int32();
      const records = p.nullableBytes();
      p.tags();
      return { index, records };
    });
    t.tags();
    return { name, partitions };
  });
  r.tags();
  return { transactionalId, acks, timeoutMs, topics };
}

export function encodeResponse(w: VersionedWriter, response: ProduceResponse): void {
  const v = w.version;
  w.array(response.topics, (t, topic) => {
    t.string(topic.name);
    t.array(topic.partitions, (p, partition) => {
      p.int32(partition.index).int16(partition.errorCode).int64(partition.baseOffset);
      if (v >= 2) p.int64(partition.logAppendTimeMs);
      if (v >= 5) p.int64(partition.logStartOffset);
      if (v >= 8) {
        p.array([], () => undefined);
        p.nullableString(partition.errorMessage);
      }
      p.tags();
    });
    t.tags();
  });
  if (v >= 1) w.int32(0);
  w.tags();
}
