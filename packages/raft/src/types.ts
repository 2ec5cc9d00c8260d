/** A node's id in its Raft group. 0 means "nobody". */
export type NodeId = number;
export const NONE: NodeId = 0;

/**
 * `noop` is the entry a new leader appends to commit its term; `config` carries
 * one membership change. The broker encodes both as control batches.
 */
export type EntryType = 'normal' | 'noop' | 'config';

/**
 * One record batch covering [firstIndex, lastIndex]. Entries of a log are
 * contiguous (firstIndex = previous lastIndex + 1), so an entry is identified by
 * (lastIndex, term) and index comparisons always use lastIndex.
 */
export interface Entry {
  readonly term: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export interface EntryId {
  readonly lastIndex: number;
  readonly term: number;
}

/** What must be on disk before any message that depends on it leaves. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMeta {
  /** The last index the snapshot covers; a log's first entry starts at lastIndex + 1. */
  readonly lastIndex: number;
  readonly term: number;
  readonly config: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export type ConfChangeType = 'addVoter' | 'addLearner' | 'removeNode';

/** A single-server membership change; at most one is pending at a time. */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
}

export type MessageType =
  | 'append'
  | 'appendResponse'
  | 'vote'
  | 'voteResponse'
  | 'preVote'
  | 'preVoteResponse'
  | 'heartbeat'
  | 'heartbeatResponse'
  | 'snapshot'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResponse';

/**
 * One wire message. Field meaning depends on `type`:
 * - append: index/logTerm = the entry just before `entries`; commit = leader commit.
 * - appendResponse: index = last index now matched, or on reject the rejected
 *   prev index; rejectHint/logTerm = the follower's guess of the last entry that may match.
 * - vote/preVote: index/logTerm = candidate's last entry; commit = candidate's commit index;
 *   transfer = leadership transfer.
 * - heartbeat: commit = what the follower may safely commit; context = read round.
 * - readIndex/readIndexResponse: context = the requester's id for the read, index = read index.
 */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly index: number;
  readonly logTerm: number;
  readonly commit: number;
  readonly entries?: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly reject?: boolean;
  readonly rejectHint?: number;
  readonly context?: number;
  readonly transfer?: boolean;
}

/** A linearizable read may be served once the state machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: number;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/**
 * What the application must do next, in this order: persist
 * `snapshotToPersist` and `entriesToPersist` (truncating any stored entries at
 * or after the first one's firstIndex), then `hardState` (its commit may point
 * into those entries, so it must not reach the disk first); send `messages`
 * (they may go before the writes complete); once everything is durable, send
 * `messagesAfterPersist`; apply `committedEntries` (all of them are in storage
 * or in this Ready); call advance().
 */
export interface Ready {
  readonly softState: SoftState;
  readonly hardState?: HardState;
  readonly snapshotToPersist?: Snapshot;
  readonly entriesToPersist: readonly Entry[];
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  /** Responses and anything depending on a changed term/vote: only after the write above is durable. */
  readonly messagesAfterPersist: readonly Message[];
  readonly readStates: readonly ReadState[];
}
