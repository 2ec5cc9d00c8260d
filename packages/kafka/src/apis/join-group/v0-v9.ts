import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface KafkaJoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v0 has none: the session timeout stands for it. */
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  reason: string | null;
}

export interface KafkaJoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

/**
 * JoinGroup v0-v9 (flexible from 6): v1 adds the rebalance timeout, v5 static membership
 * (group instance ids), v7 the protocol type in the answer, v8 the join's reason, v9 the
 * skip-assignment flag (always false here: the group's leader assigns).
 */
export function decodeRequest(r: VersionedReader): KafkaJoinGroupRequest {
  const v = r.version;
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = v >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = r.string();
  const groupInstanceId = v >= 5 ? r.nullableString() : null;
  const protocolType = r.string();
  const protocols = r.array((p) => {
    const name = p.string();
    const metadata = p.nullableBytes() ?? Buffer.alloc(0);
    p.tags();
    return { name, metadata };
  });
  const reason = v >= 8 ? r.nullableString() : null;
  r.tags();
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols, reason };
}

export function encodeResponse(w: VersionedWriter, response: KafkaJoinGroupResponse): void {
  const v = w.version;
  if (v >= 2) w.int32(0);
  w.int16(response.errorCode).int32(response.generationId);
  if (v >= 7) w.nullableString(response.protocolType).nullableString(response.protocolName);
  else w.string(response.protocolName ?? '');
  w.string(response.leader);
  if (v >= 9) w.boolean(false);
  w.string(response.memberId);
  w.array(response.members, (m, member) => {
    m.string(member.memberId);
    if (v >= 5) m.nullableString(member.groupInstanceId);
    m.nullableBytes(member.metadata);
    m.tags();
  });
  w.tags();
}
