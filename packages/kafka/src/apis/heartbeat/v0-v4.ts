import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface KafkaHeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** Heartbeat v0-v4 (flexible from 4): v1 adds the throttle time, v3 group instance ids. */
export function decodeRequest(r: VersionedReader): KafkaHeartbeatRequest {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const groupInstanceId = r.version >= 3 ? r.nullableString() : null;
  r.tags();
  return { groupId, generationId, memberId, groupInstanceId };
}

export function encodeResponse(w: VersionedWriter, errorCode: number): void {
  if (w.version >= 1) w.int32(0);
  w.int16(errorCode);
  w.tags();
}
