import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface KafkaSyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface KafkaSyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** SyncGroup v0-v5 (flexible from 4): v3 adds group instance ids, v5 the protocol type and name both ways. */
export function decodeRequest(r: VersionedReader): KafkaSyncGroupRequest {
  const v = r.version;
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const groupInstanceId = v >= 3 ? r.nullableString() : null;
  const protocolType = v >= 5 ? r.nullableString() : null;
  const protocolName = v >= 5 ? r.nullableString() : null;
  const assignments = r.array((a) => {
    const id = a.string();
    const assignment = a.nullableBytes() ?? Buffer.alloc(0);
    a.tags();
    return { memberId: id, assignment };
  });
  r.tags();
  return { groupId, generationId, memberId, groupInstanceId, protocolType, protocolName, assignments };
}

export function encodeResponse(w: VersionedWriter, response: KafkaSyncGroupResponse): void {
  const v = w.version;
  if (v >= 1) w.int32(0);
  w.int16(response.errorCode);
  if (v >= 5) w.nullableString(response.protocolType).nullableString(response.protocolName);
  w.nullableBytes(response.assignment);
  w.tags();
}
