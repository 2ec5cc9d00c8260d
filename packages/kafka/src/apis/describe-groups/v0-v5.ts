import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  /** The protocol the group chose (for consumers, the assignor). */
  protocolData: string;
  members: DescribedMember[];
}

/** No ACLs here: a client that asks for its authorized operations is told they are not known. */
const OPERATIONS_NOT_KNOWN = -2147483648;

/** DescribeGroups v0-v5 (flexible from 5): v1 adds the throttle time, v3 authorized operations, v4 group instance ids. */
export function decodeRequest(r: VersionedReader): string[] {
  const groups = r.array((g) => g.string());
  if (r.version >= 3) r.boolean();
  r.tags();
  return groups;
}

export function encodeResponse(w: VersionedWriter, groups: readonly DescribedGroup[]): void {
  const v = w.version;
  if (v >= 1) w.int32(0);
  w.array(groups, (g, group) => {
    g.int16(group.errorCode).string(group.groupId).string(group.state).string(group.protocolType).string(group.protocolData);
    g.array(group.members, (m, member) => {
      m.string(member.memberId);
      if (v >= 4) m.nullableString(member.groupInstanceId);
      m.string(member.clientId).string(member.clientHost).nullableBytes(member.metadata).nullableBytes(member.assignment);
      m.tags();
    });
    if (v >= 3) g.int32(OPERATIONS_NOT_KNOWN);
    g.tags();
  });
  w.tags();
}
