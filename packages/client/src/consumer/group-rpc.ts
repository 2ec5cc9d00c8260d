import type {
  CommitOffsetsRequest,
  MemberHeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@gregor/proto';
import type { Cluster } from '../cluster/cluster';

/** The coordinator calls a group member makes; injected so membership can be driven without a broker. */
export interface GroupRpc {
  join(request: JoinGroupRequest): Promise<JoinGroupResponse>;
  sync(request: SyncGroupRequest): Promise<SyncGroupResponse>;
  heartbeat(request: MemberHeartbeatRequest): Promise<void>;
  leave(request: LeaveGroupRequest): Promise<void>;
  commit(request: CommitOffsetsRequest): Promise<void>;
}

/**
 * Group calls through any broker (brokers forward them to the coordinator). JoinGroup and
 * SyncGroup wait for the rest of the group, up to the rebalance timeout, so their deadline is
 * that plus an ordinary request's; a heartbeat is held up to its waitMs, and one answered later
 * than that and the session timeout is useless.
 */
export function clusterGroupRpc(cluster: Cluster, timeouts: { rebalanceTimeoutMs: number; sessionTimeoutMs: number }): GroupRpc {
  const waiting = timeouts.rebalanceTimeoutMs + cluster.requestTimeoutMs;
  return {
    join: (request) => cluster.callAny<JoinGroupResponse>('Groups', 'JoinGroup', request, waiting),
    sync: (request) => cluster.callAny<SyncGroupResponse>('Groups', 'SyncGroup', request, waiting),
    heartbeat: async (request) => {
      await cluster.callAny('Groups', 'Heartbeat', request, Math.min(cluster.requestTimeoutMs, timeouts.sessionTimeoutMs) + (request.waitMs ?? 0));
    },
    leave: async (request) => {
      await cluster.callAny('Groups', 'LeaveGroup', request);
    },
    commit: async (request) => {
      await cluster.callAny('Groups', 'CommitOffsets', request);
    },
  };
}
