import type { Message } from '@gregor/raft';

/**
 * Carries Raft messages of one group to the other brokers; loss is allowed (Raft retries), but
 * a leader waits on a snapshot until told what became of it (see PeerTransport's reportSnapshot).
 */
export interface RaftTransport {
  send(group: string, messages: readonly Message[]): void;
}
