import type { Entry, EntryType, Message, MessageType, Snapshot } from '@gregor/raft';

/** RaftMessage as proto-loader hands it over (enums as names, int64 as numbers, bytes as Buffer). */
export interface WireRaftEntry {
  term: number;
  firstIndex: number;
  lastIndex: number;
  type: string;
  data: Buffer | Uint8Array;
}

export interface WireRaftSnapshot {
  lastIndex: number;
  term: number;
  voters: number[];
  learners: number[];
  data: Buffer | Uint8Array;
}

export interface WireRaftMessage {
  group: string;
  type: string;
  from: number;
  to: number;
  term: number;
  index: number;
  logTerm: number;
  commit: number;
  entries: WireRaftEntry[];
  snapshot?: WireRaftSnapshot | null;
  reject: boolean;
  rejectHint: number;
  context: number;
  transfer: boolean;
}

export interface PeerBatch {
  fromBroker: number;
  messages: WireRaftMessage[];
}

/** The wire name of a snapshot message. */
export const SNAPSHOT = 'SNAPSHOT';

const MESSAGE_TYPES: Record<MessageType, string> = {
  append: 'APPEND',
  appendResponse: 'APPEND_RESPONSE',
  vote: 'VOTE',
  voteResponse: 'VOTE_RESPONSE',
  preVote: 'PRE_VOTE',
  preVoteResponse: 'PRE_VOTE_RESPONSE',
  heartbeat: 'HEARTBEAT',
  heartbeatResponse: 'HEARTBEAT_RESPONSE',
  snapshot: SNAPSHOT,
  timeoutNow: 'TIMEOUT_NOW',
  readIndex: 'READ_INDEX',
  readIndexResponse: 'READ_INDEX_RESPONSE',
};
const ENTRY_TYPES: Record<EntryType, string> = { normal: 'NORMAL', noop: 'NOOP', config: 'CONFIG' };

function invert<K extends string>(table: Record<K, string>): Map<string, K> {
  return new Map(Object.entries(table).map(([k, v]) => [v as string, k as K]));
}
const MESSAGE_TYPE_OF = invert(MESSAGE_TYPES);
const ENTRY_TYPE_OF = invert(ENTRY_TYPES);

export function toWire(group: string, m: Message): WireRaftMessage {
  return {
    group,
    type: MESSAGE_TYPES[m.type],
    from: m.from,
    to: m.to,
    term: m.term,
    index: m.index,
    logTerm: m.logTerm,
    commit: m.commit,
    entries: (m.entries ?? []).map((e) => ({ term: e.term, firstIndex: e.firstIndex, lastIndex: e.lastIndex, type: ENTRY_TYPES[e.type], data: e.data })),
    snapshot: m.snapshot
      ? { lastIndex: m.snapshot.meta.lastIndex, term: m.snapshot.meta.term, voters: [...m.snapshot.meta.config.voters], learners: [...m.snapshot.meta.config.learners], data: m.snapshot.data }
      : null,
    reject: m.reject ?? false,
    rejectHint: m.rejectHint ?? 0,
    context: m.context ?? 0,
    transfer: m.transfer ?? false,
  };
}

/** The message a peer sent, or null when it names a type or entry type this broker does not know. */
export function fromWire(w: WireRaftMessage): Message | null {
  const type = MESSAGE_TYPE_OF.get(w.type);
  if (type === undefined) return null;
  const entries: Entry[] = [];
  for (const e of w.entries ?? []) {
    const entryType = ENTRY_TYPE_OF.get(e.type);
    if (entryType === undefined) return null;
    entries.push({ term: e.term, firstIndex: e.firstIndex, lastIndex: e.lastIndex, type: entryType, data: e.data });
  }
  const snapshot: Snapshot | undefined = w.snapshot
    ? { meta: { lastIndex: w.snapshot.lastIndex, term: w.snapshot.term, config: { voters: w.snapshot.voters ?? [], learners: w.snapshot.learners ?? [] } }, data: w.snapshot.data }
    : undefined;
  return {
    type,
    from: w.from,
    to: w.to,
    term: w.term,
    index: w.index,
    logTerm: w.logTerm,
    commit: w.commit,
    entries,
    snapshot,
    reject: w.reject,
    rejectHint: w.rejectHint,
    context: w.context,
    transfer: w.transfer,
  };
}

/** Bytes a message adds to a PeerBatch, near enough to keep batches under the gRPC message limit. */
export function wireSize(m: WireRaftMessage): number {
  let size = 64 + m.group.length;
  for (const e of m.entries) size += 32 + e.data.length;
  return size + (m.snapshot ? 64 + m.snapshot.data.length : 0);
}
