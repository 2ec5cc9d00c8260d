import type { DecodedRecord } from '@gregor/records';

/** A member's protocol as it joined: an assignor name and its subscription bytes. */
export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
}

/** What a coordinator needs to take a group over: its generation, protocol, leader, members and their assignments. */
export interface StoredGroup {
  protocolType: string;
  generation: number;
  protocolName: string;
  leader: string;
  members: StoredMember[];
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
  commitTime: number;
}

export interface StoredCommit extends OffsetCommit {
  /** The topic's id when committed: a deleted and re-created topic does not inherit old offsets. */
  topicId: string;
}

/**
 * One record of __consumer_offsets, keyed as Kafka keys them: a group's committed offset for one
 * partition ([group, topic, partition]) or the group's membership ([group]). The latest record of
 * a key wins; a null value (a tombstone) removes it.
 */
export type GroupsRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; commit: StoredCommit | null }
  | { kind: 'group'; group: string; stored: StoredGroup | null };

export function offsetKey(group: string, topic: string, partition: number): Buffer {
  return Buffer.from(JSON.stringify([group, topic, partition]));
}

export function groupKey(group: string): Buffer {
  return Buffer.from(JSON.stringify([group]));
}

export function encodeCommit(commit: StoredCommit): Buffer {
  return Buffer.from(JSON.stringify(commit));
}

type JsonMember = Omit<StoredMember, 'protocols' | 'assignment'> & { protocols: Array<{ name: string; metadata: string }>; assignment: string };

export function encodeGroup(stored: StoredGroup): Buffer {
  const members: JsonMember[] = stored.members.map((m) => ({
    ...m,
    protocols: m.protocols.map((p) => ({ name: p.name, metadata: p.metadata.toString('base64') })),
    assignment: m.assignment.toString('base64'),
  }));
  return Buffer.from(JSON.stringify({ ...stored, members }));
}

export class UnreadableGroupsRecord extends Error {}

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString());
  } catch {
    throw new UnreadableGroupsRecord('not JSON');
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new UnreadableGroupsRecord(what);
}

function decodeCommit(value: unknown): StoredCommit {
  const c = value as StoredCommit;
  check(typeof c === 'object' && c !== null && isString(c.topic) && isInt(c.partition) && isInt(c.offset) && isString(c.topicId), 'offset value');
  return { topic: c.topic, partition: c.partition, offset: c.offset, metadata: isString(c.metadata) ? c.metadata : '', commitTime: isInt(c.commitTime) ? c.commitTime : 0, topicId: c.topicId };
}

function decodeGroup(value: unknown): StoredGroup {
  const g = value as { protocolType: unknown; generation: unknown; protocolName: unknown; leader: unknown; members: unknown };
  check(typeof g === 'object' && g !== null && isString(g.protocolType) && isInt(g.generation) && isString(g.protocolName) && isString(g.leader) && Array.isArray(g.members), 'group value');
  const members = (g.members as JsonMember[]).map((m): StoredMember => {
    check(typeof m === 'object' && m !== null && isString(m.memberId) && isString(m.assignment) && Array.isArray(m.protocols), 'group member');
    return {
      memberId: m.memberId,
      groupInstanceId: isString(m.groupInstanceId) ? m.groupInstanceId : '',
      clientId: isString(m.clientId) ? m.clientId : '',
      clientHost: isString(m.clientHost) ? m.clientHost : '',
      sessionTimeoutMs: isInt(m.sessionTimeoutMs) ? m.sessionTimeoutMs : 0,
      rebalanceTimeoutMs: isInt(m.rebalanceTimeoutMs) ? m.rebalanceTimeoutMs : 0,
      protocols: m.protocols.map((p) => {
        check(isString(p?.name) && isString(p?.metadata), 'member protocol');
        return { name: p.name, metadata: Buffer.from(p.metadata, 'base64') };
      }),
      assignment: Buffer.from(m.assignment, 'base64'),
    };
  });
  return { protocolType: g.protocolType as string, generation: g.generation as number, protocolName: g.protocolName as string, leader: g.leader as string, members };
}

/** Throws UnreadableGroupsRecord for a record no coordinator wrote. */
export function decodeGroupsRecord(record: DecodedRecord): GroupsRecord {
  check(record.key !== null && record.key !== undefined, 'no key');
  const key = parse(record.key!);
  check(Array.isArray(key) && isString((key as unknown[])[0]), 'key');
  const parts = key as unknown[];
  const group = parts[0] as string;
  const value = record.value ? parse(record.value) : null;
  if (parts.length === 1) return { kind: 'group', group, stored: value === null ? null : decodeGroup(value) };
  check(parts.length === 3 && isString(parts[1]) && isInt(parts[2]), 'offset key');
  return { kind: 'offset', group, topic: parts[1] as string, partition: parts[2] as number, commit: value === null ? null : decodeCommit(value) };
}
