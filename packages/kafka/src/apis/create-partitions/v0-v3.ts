import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface CreatePartitionsTopic {
  name: string;
  count: number;
  /** Replicas of the new partitions placed by hand; null: placed by the broker. */
  assignments: number[][] | null;
}

/** CreatePartitions v0-v3 (flexible from 2). */
export function decodeRequest(r: VersionedReader): { topics: CreatePartitionsTopic[]; validateOnly: boolean } {
  const topics = r.array((t) => {
    const name = t.string();
    const count = t.int32();
    const assignments = t.nullableArray((a) => {
      const brokerIds = a.array((b) => b.int32());
      a.tags();
      return brokerIds;
    });
    t.tags();
    return { name, count, assignments };
  });
  r.int32();
  const validateOnly = r.boolean();
  r.tags();
  return { topics, validateOnly };
}

export function encodeResponse(w: VersionedWriter, results: ReadonlyArray<{ name: string; errorCode: number; errorMessage: string | null }>): void {
  w.int32(0);
  w.array(results, (t, result) => {
    t.string(result.name).int16(result.errorCode).nullableString(result.errorMessage);
    t.tags();
  });
  w.tags();
}
