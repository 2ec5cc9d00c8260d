import { LogStorage } from './log-storage';
import { NodeId } from './types';

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: LogStorage;
  /** Ticks without hearing from a leader before campaigning; randomized in [electionTick, 2*electionTick). */
  readonly electionTick: number;
  readonly heartbeatTick: number;
  /** Uniform in [0, 1): the only source of randomness (election timeout jitter). */
  readonly random: () => number;
  /** Last index the application has applied; defaults to the snapshot index. */
  readonly applied?: number;
  readonly maxSizePerMsg?: number;
  readonly maxInflightMsgs?: number;
  readonly maxInflightBytes?: number;
  readonly maxCommittedSizePerReady?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /**
   * Append the election no-op only when the log holds entries not known to be committed: with
   * none, no earlier-term entry needs carrying (§5.4.2), and a partition's first record keeps
   * offset 0. Read-index requests then wait for the leader's first proposal. Default false.
   */
  readonly skipRedundantNoop?: boolean;
  /**
   * The application makes entries durable later than it writes them (a log flushed on a timer):
   * advance() then means only that a Ready's entries are written and readable from storage, and
   * synced() reports how far they are durable. Raft's safety rests on every acknowledgement being
   * durable, so nothing past the synced index is acknowledged: a follower's append responses wait
   * for it, and a leader counts itself toward the commit quorum only up to it. A crash may then
   * drop an unsynced tail without losing anything acknowledged. Default false: advance() means durable.
   */
  readonly reportsSync?: boolean;
}

export interface ResolvedConfig extends Required<Omit<RaftConfig, 'applied'>> {
  readonly applied: number | undefined;
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  if (c.id <= 0) throw new RangeError('node id must be positive');
  if (c.heartbeatTick <= 0 || c.electionTick <= c.heartbeatTick) {
    throw new RangeError('need 0 < heartbeatTick < electionTick');
  }
  return {
    id: c.id,
    storage: c.storage,
    electionTick: c.electionTick,
    heartbeatTick: c.heartbeatTick,
    random: c.random,
    applied: c.applied,
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxInflightMsgs: c.maxInflightMsgs ?? 256,
    maxInflightBytes: c.maxInflightBytes ?? 32 * 1024 * 1024,
    maxCommittedSizePerReady: c.maxCommittedSizePerReady ?? 64 * 1024 * 1024,
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    skipRedundantNoop: c.skipRedundantNoop ?? false,
    reportsSync: c.reportsSync ?? false,
  };
}
