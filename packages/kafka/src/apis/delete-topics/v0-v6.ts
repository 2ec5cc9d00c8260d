import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface DeletedTopicResult {
  name: string | null;
  topicId: Buffer;
  errorCode: number;
  errorMessage: string | null;
}

/** DeleteTopics v0-v6 (flexible from 4): topics by name up to v5; v6 by name or id, and error messages from v5. */
export function decodeRequest(r: VersionedReader): Array<{ name: string | null; topicId: Buffer | null }> {
  const topics =
    r.version >= 6
      ? r.array((t) => {
          const name = t.nullableString();
          const topicId = t.uuid();
          t.tags();
          return { name, topicId };
        })
      : r.array((t) => ({ name: t.string(), topicId: null }));
  r.int32();
  r.tags();
  return topics;
}

export function encodeResponse(w: VersionedWriter, results: readonly DeletedTopicResult[]): void {
  const v = w.version;
  if (v >= 1) w.int32(0);
  w.array(results, (t, result) => {
    if (v >= 6) t.nullableString(result.name).uuid(result.topicId);
    else t.string(result.name ?? '');
    t.int16(result.errorCode);
    if (v >= 5) t.nullableString(result.errorMessage);
    t.tags();
  });
  w.tags();
}
