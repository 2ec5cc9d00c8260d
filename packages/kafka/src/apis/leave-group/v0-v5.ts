import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason: string | null;
}

export interface KafkaLeaveGroupResponse {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

/** LeaveGroup v0-v5 (flexible from 4): one member up to v2, v3 many at once (by member or instance id), v5 a reason each. */
export function decodeRequest(r: VersionedReader): { groupId: string; members: LeavingMember[] } {
  const v = r.version;
  const groupId = r.string();
  const members =
    v <= 2
      ? [{ memberId: r.string(), groupInstanceId: null, reason: null }]
      : r.array((m) => {
          const memberId = m.string();
          const groupInstanceId = m.nullableString();
          const reason = v >= 5 ? m.nullableString() : null;
          m.tags();
          return { memberId, groupInstanceId, reason };
        });
  r.tags();
  return { groupId, members };
}

export function encodeResponse(w: VersionedWriter, response: KafkaLeaveGroupResponse): void {
  const v = w.version;
  if (v >= 1) w.int32(0);
  w.int16(response.errorCode);
  if (v >= 3) {
    w.array(response.members, (m, member) => {
      m.string(member.memberId).nullableString(member.groupInstanceId).int16(member.errorCode);
      m.tags();
    });
  }
  w.tags();
}
