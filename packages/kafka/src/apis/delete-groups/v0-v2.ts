import type { VersionedReader, VersionedWriter } from '../../versioned';

/** DeleteGroups v0-v2 (flexible from 2); v1 is v0 answered before throttling. */
export function decodeRequest(r: VersionedReader): string[] {
  const groups = r.array((g) => g.string());
  r.tags();
  return groups;
}

export function encodeResponse(w: VersionedWriter, results: ReadonlyArray<{ groupId: string; errorCode: number }>): void {
  w.int32(0);
  w.array(results, (e, result) => {
    e.string(result.groupId).int16(result.errorCode);
    e.tags();
  });
  w.tags();
}
