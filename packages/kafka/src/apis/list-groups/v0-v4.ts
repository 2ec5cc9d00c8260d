import type { VersionedReader, VersionedWriter } from '../../versioned';

export interface ListedKafkaGroup {
  groupId: string;
  protocolType: string;
  state: string;
}

/** ListGroups v0-v4 (flexible from 3): v1 adds the throttle time, v4 a filter by state and each group's state. */
export function decodeRequest(r: VersionedReader): { statesFilter: string[] } {
  const statesFilter = r.version >= 4 ? r.array((s) => s.string()) : [];
  r.tags();
  return { statesFilter };
}

export function encodeResponse(w: VersionedWriter, { errorCode, groups }: { errorCode: number; groups: readonly ListedKafkaGroup[] }): void {
  const v = w.version;
  if (v >= 1) w.int32(0);
  w.int16(errorCode);
  w.array(groups, (g, group) => {
    g.string(group.groupId).string(group.protocolType);
    if (v >= 4) g.string(group.state);
    g.tags();
  });
  w.tags();
}
