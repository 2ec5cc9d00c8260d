import { GregorError } from '../errors';
import { cooperativeStickyAssignor, rangeAssignor, type Assignor } from './assignors';
import type { ConsumerGroupOptions } from './consumer-group';

/** Group membership settings of a Consumer that subscribes; Kafka's names and defaults. */
export interface GroupConfig {
  /** Static membership: a member that restarts within the session timeout gets its partitions back without a rebalance. */
  groupInstanceId?: string;
  /** Named in JoinGroup, shown by DescribeGroups. */
  clientId?: string;
  /** Without a heartbeat for this long the coordinator drops the member (default 10000). */
  sessionTimeoutMs?: number;
  /** Default 500, so a dead member's partitions move well within session timeout + 1 s. */
  heartbeatIntervalMs?: number;
  /** How long the coordinator waits for every member to join again (default 60000). */
  rebalanceTimeoutMs?: number;
  /** The member leaves the group when the application pulls no records for this long (default rebalanceTimeoutMs). */
  maxPollIntervalMs?: number;
  /** How often members re-read topics, to follow a pattern and partition counts (default 5000). */
  metadataMaxAgeMs?: number;
  /**
   * In order of preference; the group uses the first every member has. Default range, then
   * cooperative-sticky, as Kafka's: eager, until every member lists cooperative-sticky alone.
   */
  assignors?: readonly Assignor[];
  /** Commit processed positions every autoCommitIntervalMs and before partitions are revoked (default true). */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
}

export function groupOptions(group: string, config: GroupConfig, backoff: (attempt: number) => number): ConsumerGroupOptions {
  const rebalanceTimeoutMs = config.rebalanceTimeoutMs ?? 60000;
  const assignors = config.assignors ?? [rangeAssignor, cooperativeStickyAssignor];
  if (assignors.length === 0) throw GregorError.invalid('subscribe needs at least one assignor');
  return {
    group,
    groupInstanceId: config.groupInstanceId,
    clientId: config.clientId,
    sessionTimeoutMs: config.sessionTimeoutMs ?? 10000,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? 500,
    rebalanceTimeoutMs,
    maxPollIntervalMs: config.maxPollIntervalMs ?? rebalanceTimeoutMs,
    metadataMaxAgeMs: config.metadataMaxAgeMs ?? 5000,
    assignors,
    backoff,
    autoCommitIntervalMs: config.autoCommit === false ? null : config.autoCommitIntervalMs ?? 5000,
  };
}
