import type { Message } from '@gregor/raft';

/** Carries Raft messages of one group to the other brokers; loss is allowed (Raft retries). */
export interface RaftTransport {
  send(group: string, messages: readonly Message[]): void;
}
