import type { BrokerSurface } from '@gregor/broker';
import { apiRange } from '../api-table';
import { ALTER_CONFIGS_KEY, serveAlterConfigs } from '../apis/alter-configs';
import { CREATE_PARTITIONS_KEY, serveCreatePartitions } from '../apis/create-partitions';
import { CREATE_TOPICS_KEY, serveCreateTopics } from '../apis/create-topics';
import { DELETE_GROUPS_KEY, serveDeleteGroups } from '../apis/delete-groups';
import { DELETE_TOPICS_KEY, serveDeleteTopics } from '../apis/delete-topics';
import { DESCRIBE_CONFIGS_KEY, serveDescribeConfigs } from '../apis/describe-configs';
import { DESCRIBE_GROUPS_KEY, serveDescribeGroups } from '../apis/describe-groups';
import { FETCH_KEY, serveFetch } from '../apis/fetch';
import { FIND_COORDINATOR_KEY, serveFindCoordinator } from '../apis/find-coordinator';
import { HEARTBEAT_KEY, serveHeartbeat } from '../apis/heartbeat';
import { INCREMENTAL_ALTER_CONFIGS_KEY, serveIncrementalAlterConfigs } from '../apis/incremental-alter-configs';
import { INIT_PRODUCER_ID_KEY, serveInitProducerId } from '../apis/init-producer-id';
import { JOIN_GROUP_KEY, serveJoinGroup } from '../apis/join-group';
import { LEAVE_GROUP_KEY, serveLeaveGroup } from '../apis/leave-group';
import { LIST_GROUPS_KEY, serveListGroups } from '../apis/list-groups';
import { LIST_OFFSETS_KEY, serveListOffsets } from '../apis/list-offsets';
import { METADATA_KEY, serveMetadata } from '../apis/metadata';
import { OFFSET_COMMIT_KEY, serveOffsetCommit } from '../apis/offset-commit';
import { OFFSET_FETCH_KEY, serveOffsetFetch } from '../apis/offset-fetch';
import { PRODUCE_KEY, serveProduce } from '../apis/produce';
import { SYNC_GROUP_KEY, serveSyncGroup } from '../apis/sync-group';
import type { ApiHandler } from './handler';

type Serve = (surface: BrokerSurface, flexibleFrom: number) => ApiHandler;

const SERVED: ReadonlyArray<[number, Serve]> = [
  [PRODUCE_KEY, serveProduce],
  [FETCH_KEY, serveFetch],
  [LIST_OFFSETS_KEY, serveListOffsets],
  [METADATA_KEY, serveMetadata],
  [OFFSET_COMMIT_KEY, serveOffsetCommit],
  [OFFSET_FETCH_KEY, serveOffsetFetch],
  [FIND_COORDINATOR_KEY, serveFindCoordinator],
  [JOIN_GROUP_KEY, serveJoinGroup],
  [HEARTBEAT_KEY, serveHeartbeat],
  [LEAVE_GROUP_KEY, serveLeaveGroup],
  [SYNC_GROUP_KEY, serveSyncGroup],
  [DESCRIBE_GROUPS_KEY, serveDescribeGroups],
  [LIST_GROUPS_KEY, serveListGroups],
  [DELETE_GROUPS_KEY, serveDeleteGroups],
  [CREATE_TOPICS_KEY, serveCreateTopics],
  [DELETE_TOPICS_KEY, serveDeleteTopics],
  [INIT_PRODUCER_ID_KEY, serveInitProducerId],
  [CREATE_PARTITIONS_KEY, serveCreatePartitions],
  [DESCRIBE_CONFIGS_KEY, serveDescribeConfigs],
  [ALTER_CONFIGS_KEY, serveAlterConfigs],
  [INCREMENTAL_ALTER_CONFIGS_KEY, serveIncrementalAlterConfigs],
];

/** Every API of the table (ApiVersions aside, which the connection answers) served from the broker. */
export function brokerHandlers(surface: BrokerSurface): Map<number, ApiHandler> {
  return new Map(SERVED.map(([key, serve]) => [key, serve(surface, apiRange(key)!.flexibleFrom)]));
}
