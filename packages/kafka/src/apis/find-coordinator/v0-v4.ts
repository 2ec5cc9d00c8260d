import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface FindCoordinatorRequest {
  keys: string[];
  /** 0: a group, 1: a transactional id. */
  keyType: number;
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

/** FindCoordinator v0-v4 (flexible from 3): v1 adds the key type, v4 asks for many keys at once. */
export function decodeRequest(r: VersionedReader): FindCoordinatorRequest {
  const key = r.version <= 3 ? r.string() : '';
  const keyType = r.version >= 1 ? r.int8() : 0;
  const keys = r.version >= 4 ? r.array((k) => k.string()) : [key];
  r.tags();
  return { keys, keyType };
}

/** Up to v3 the answer is for the one key asked. */
export function encodeResponse(w: VersionedWriter, coordinators: readonly Coordinator[]): void {
  const v = w.version;
  if (v >= 1) w.int32(0);
  if (v <= 3) {
    const c = coordinators[0];
    w.int16(c.errorCode);
    if (v >= 1) w.nullableString(c.errorMessage);
    w.int32(c.nodeId).string(c.host).int32(c.port);
  } else {
    w.array(coordinators, (e, c) => {
      e.string(c.key).int32(c.nodeId).string(c.host).int32(c.port).int16(c.errorCode).nullableString(c.errorMessage);
      e.tags();
    });
  }
  w.tags();
}
