import { NodeId } from './types';

/** Base of every error this package throws; `code` is stable for mapping to RPC status codes. */
export class RaftError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotLeaderError extends RaftError {
  constructor(readonly leaderHint: NodeId) {
    super('NOT_LEADER', `not the leader (leader hint: ${leaderHint})`);
  }
}

/** The leader refuses new proposals while it hands leadership over. */
export class ProposalDroppedError extends RaftError {
  constructor(reason: string) {
    super('PROPOSAL_DROPPED', reason);
  }
}

export class ConfChangeInProgressError extends RaftError {
  constructor(pendingIndex: number) {
    super('CONF_CHANGE_IN_PROGRESS', `a membership change at index ${pendingIndex} is not applied yet`);
  }
}

export class InvalidConfChangeError extends RaftError {
  constructor(reason: string) {
    super('INVALID_CONF_CHANGE', reason);
  }
}

/** A broken invariant: continuing could lose or corrupt committed data. */
export class RaftInvariantError extends RaftError {
  constructor(message: string) {
    super('INVARIANT', message);
  }
}

export class StorageError extends RaftError {
  constructor(message: string) {
    super('STORAGE', message);
  }
}
