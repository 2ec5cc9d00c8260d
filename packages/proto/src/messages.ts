/**
 * Decoded shapes of the gregor.v1 messages as proto-loader hands them over
 * (camelCase fields, int64 as number, bytes as Buffer, enums as names,
 * defaults filled in). `optional` proto fields are absent (undefined) when
 * not set; when sending, omit them or pass null.
 */

export interface Status { code: number; message: string; reason?: string; leaderId?: number; leaderAddress?: string }

export interface RecordHeaderMessage { key: string; value?: Buffer | null }

export interface RecordMessage {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: RecordHeaderMessage[];
  timestamp?: number;
}

export type Acks = 'ACKS_ALL' | 'ACKS_LEADER';

export interface ProduceRequest {
  correlationId?: number;
  topic: string;
  partition: number;
  batch?: Buffer;
  records?: RecordMessage[];
  acks?: Acks;
}

export interface InitProducerIdResponse { producerId: number; producerEpoch: number }

export interface ProduceResponse {
  correlationId: number;
  topic: string;
  partition: number;
  baseOffset: number;
  lastOffset: number;
  logAppendTime: number;
  error?: Status | null;
}

export interface FetchRequest {
  topic: string;
  partition: number;
  offset: number;
  maxBytes?: number;
  maxWaitMs?: number;
  minBytes?: number;
}

export interface FetchResponse {
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
  nextOffset: number;
}

export interface SubscribeRequest { topic: string; partition: number; offset: number; maxBytes?: number }

export interface SubscribeResponse { records: Buffer; highWatermark: number; nextOffset: number }

export type OffsetSpec = 'OFFSET_SPEC_UNSPECIFIED' | 'EARLIEST' | 'LATEST' | 'TIMESTAMP';

export interface ListOffsetsRequest { topic: string; partitions?: number[]; spec: OffsetSpec; timestamp?: number }

export interface PartitionOffset { partition: number; offset: number; logStartOffset: number; highWatermark: number }

export interface ListOffsetsResponse { topic: string; partitions: PartitionOffset[] }

export interface CreateTopicRequest { name: string; partitions?: number; configs?: Record<string, string>; replicationFactor?: number }

export interface DeleteTopicRequest { name: string }

export interface TopicSummary { name: string; partitions: number }

export interface ListTopicsResponse { topics: TopicSummary[] }

export interface DescribeTopicRequest { name: string }

export interface PartitionDescription {
  partition: number;
  leader: number;
  replicas: number[];
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}

export interface TopicDescription {
  name: string;
  topicId: string;
  partitions: PartitionDescription[];
  configs: Record<string, string>;
}

export interface AlterTopicConfigRequest { name: string; set?: Record<string, string>; reset?: string[] }

export interface CreatePartitionsRequest { name: string; partitions: number }

export interface BrokerNode {
  id: number;
  host: string;
  port: number;
  alive: boolean;
  rack: string;
  /** alive, dead, decommissioning or removed. */
  state: string;
  replicas: number;
  peerAddress: string;
}

export interface ReplicaStatus { brokerId: number; role: string; logEndOffset: number; lag: number }

export interface PartitionStatus {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  highWatermark: number;
  replicaStates: ReplicaStatus[];
}

export interface DescribeClusterResponse { clusterId: string; controllerId: number; brokers: BrokerNode[]; partitions: PartitionStatus[]; controllers: number[]; controllersTarget: number[] }

export interface PartitionReassignment { topic: string; partition: number; replicas: number[] }

export interface ReassignPartitionsRequest { partitions: PartitionReassignment[]; throttleMbPerSec?: number }

export interface CancelReassignmentRequest { topic: string; partition: number }

export interface ReplicaProgress { brokerId: number; bytes: number; totalBytes: number; logEndOffset: number; leaderLogEndOffset: number }

export interface ReassignmentStatus {
  topic: string;
  partition: number;
  replicas: number[];
  target: number[];
  cancelled: boolean;
  startedAtMs: number;
  throttleMbPerSec: number;
  leader: number;
  voters: number[];
  learners: number[];
  adding: ReplicaProgress[];
}

export interface ListReassignmentsResponse { reassignments: ReassignmentStatus[] }

export interface DecommissionBrokerRequest { brokerId: number; cancel?: boolean }

export interface DecommissionBrokerResponse { moves: PartitionReassignment[] }

export interface ControllerChangeRequest { brokerId: number }

export interface ControllerChangeResponse { target: number[] }

export interface RebalanceClusterRequest { dryRun?: boolean; throttleMbPerSec?: number }

export interface PlannedMove { topic: string; partition: number; from: number[]; to: number[] }

export interface BrokerLoad { brokerId: number; replicas: number; leaders: number; bytes: number }

export interface RebalanceClusterResponse { moves: PlannedMove[]; before: BrokerLoad[]; after: BrokerLoad[]; started: boolean }

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
  commitTime?: number;
}

export interface CommitOffsetsRequest {
  group: string;
  offsets: CommittedOffset[];
  /** A member's generation and id; an empty member id commits outside membership (only to a group with no members). */
  generation?: number;
  memberId?: string;
  groupInstanceId?: string;
}

export interface FetchOffsetsRequest { group: string; topic?: string }

export interface FetchOffsetsResponse { offsets: CommittedOffset[] }

export interface ListedGroup { group: string; state: GroupState; protocolType: string }

export interface ListGroupsResponse { groups: ListedGroup[] }

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol { name: string; metadata: Buffer }

export interface JoinGroupRequest {
  group: string;
  memberId: string;
  groupInstanceId?: string;
  protocolType: string;
  protocols: GroupProtocol[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  clientId?: string;
  reason?: string;
}

export interface JoinGroupMember { memberId: string; groupInstanceId: string; metadata: Buffer }

export interface JoinGroupResponse {
  generation: number;
  protocolType: string;
  protocolName: string;
  leader: string;
  memberId: string;
  members: JoinGroupMember[];
}

export interface MemberAssignment { memberId: string; assignment: Buffer }

export interface SyncGroupRequest {
  group: string;
  generation: number;
  memberId: string;
  groupInstanceId?: string;
  protocolType?: string;
  protocolName?: string;
  assignments: MemberAssignment[];
}

export interface SyncGroupResponse { protocolType: string; protocolName: string; assignment: Buffer }

export interface MemberHeartbeatRequest { group: string; generation: number; memberId: string; groupInstanceId?: string; waitMs?: number }

export interface LeavingMember { memberId: string; groupInstanceId?: string; reason?: string }

export interface LeaveGroupRequest { group: string; members: LeavingMember[] }

export interface DescribeGroupsRequest { groups: string[] }

export interface TopicPartitions { topic: string; partitions: number[] }

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
  /** The decoded assignment under protocol type "consumer". */
  assigned: TopicPartitions[];
}

export interface GroupDescription {
  group: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  generation: number;
  leader: string;
  members: GroupMemberDescription[];
}

export interface DescribeGroupsResponse { groups: GroupDescription[] }

export interface DeleteGroupsRequest { groups: string[] }

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthCheckRequest { service?: string }

export interface HealthCheckResponse { status: ServingStatus }
