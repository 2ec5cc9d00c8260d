import * as grpc from '@grpc/grpc-js';

export type BrokerErrorCode =
  | 'UNKNOWN_TOPIC'
  | 'UNKNOWN_PARTITION'
  | 'TOPIC_EXISTS'
  | 'INVALID_TOPIC'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'OFFSET_OUT_OF_RANGE'
  | 'REQUEST_TOO_LARGE'
  | 'SHUTTING_DOWN'
  | 'NOT_LEADER'
  | 'LEADER_NOT_AVAILABLE'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'PERMISSION_DENIED'
  | 'INTERNAL'
  | ReassignmentErrorCode
  | GroupErrorCode;

/** Kafka's names for what can be wrong with a replica move. */
export type ReassignmentErrorCode =
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'BROKER_NOT_AVAILABLE'
  | 'REASSIGNMENT_IN_PROGRESS'
  | 'NO_REASSIGNMENT_IN_PROGRESS';

/** Kafka's group protocol errors, by Kafka's names, so the Kafka front end can map them one to one. */
export type GroupErrorCode =
  | 'INVALID_GROUP_ID'
  | 'GROUP_ID_NOT_FOUND'
  | 'UNKNOWN_MEMBER_ID'
  | 'ILLEGAL_GENERATION'
  | 'REBALANCE_IN_PROGRESS'
  | 'FENCED_INSTANCE_ID'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_SESSION_TIMEOUT'
  | 'NON_EMPTY_GROUP'
  | 'GROUP_MAX_SIZE_REACHED'
  | 'NOT_COORDINATOR'
  | 'COORDINATOR_NOT_AVAILABLE';

export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

/**
 * A request for a partition reached a broker that does not lead it. The client should go to
 * `leaderAddress` (sent as trailing metadata too), or refresh its metadata when none is known.
 */
export class NotLeaderError extends BrokerError {
  constructor(
    partition: string,
    readonly leaderId: number,
    readonly leaderAddress: string | undefined,
  ) {
    super(
      leaderId === 0 ? 'LEADER_NOT_AVAILABLE' : 'NOT_LEADER',
      leaderId === 0
        ? `${partition} has no leader yet; retry shortly`
        : `NOT_LEADER: ${partition} is led by broker ${leaderId}${leaderAddress ? ` at ${leaderAddress}` : ''}`,
    );
  }
}

/** Trailing-metadata keys: Gregor's error code, and the partition's leader on NOT_LEADER. */
export const ERROR_CODE_METADATA = 'gregor-error';
export const LEADER_ID_METADATA = 'gregor-leader-id';
export const LEADER_ADDRESS_METADATA = 'gregor-leader-address';

/**
 * The one place error codes become gRPC statuses: the broker's own codes and
 * those of @gregor/storage (StorageError) and @gregor/records (RecordsError),
 * matched by their string `code`.
 */
const STATUS_BY_CODE: Readonly<Record<string, grpc.status>> = {
  // broker
  UNKNOWN_TOPIC: grpc.status.NOT_FOUND,
  UNKNOWN_PARTITION: grpc.status.NOT_FOUND,
  TOPIC_EXISTS: grpc.status.ALREADY_EXISTS,
  INVALID_TOPIC: grpc.status.INVALID_ARGUMENT,
  INVALID_CONFIG: grpc.status.INVALID_ARGUMENT,
  INVALID_REQUEST: grpc.status.INVALID_ARGUMENT,
  OFFSET_OUT_OF_RANGE: grpc.status.OUT_OF_RANGE,
  REQUEST_TOO_LARGE: grpc.status.RESOURCE_EXHAUSTED,
  SHUTTING_DOWN: grpc.status.UNAVAILABLE,
  // replication: the client should refresh metadata and retry
  NOT_LEADER: grpc.status.FAILED_PRECONDITION,
  LEADER_NOT_AVAILABLE: grpc.status.UNAVAILABLE,
  // idempotent producers: a batch that does not follow the producer's last one (gRPC's "sequencer
  // check failure"; a retry only helps once the batches before it have landed) and a fenced epoch
  OUT_OF_ORDER_SEQUENCE_NUMBER: grpc.status.ABORTED,
  // raft: a leader handing over leadership drops proposals; the new leader takes the retry
  PROPOSAL_DROPPED: grpc.status.UNAVAILABLE,
  INVALID_PRODUCER_EPOCH: grpc.status.FAILED_PRECONDITION,
  // a peer call from a broker id outside the cluster
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  // reassignments: bad lists and unknown brokers are the caller's; an overlapping or missing move is the cluster's state
  INVALID_REPLICATION_FACTOR: grpc.status.INVALID_ARGUMENT,
  INVALID_REPLICA_ASSIGNMENT: grpc.status.INVALID_ARGUMENT,
  BROKER_NOT_AVAILABLE: grpc.status.FAILED_PRECONDITION,
  REASSIGNMENT_IN_PROGRESS: grpc.status.FAILED_PRECONDITION,
  NO_REASSIGNMENT_IN_PROGRESS: grpc.status.FAILED_PRECONDITION,
  // groups: a member's view is out of date (it rejoins), a bad request, or the coordinator moved (retry)
  INVALID_GROUP_ID: grpc.status.INVALID_ARGUMENT,
  GROUP_ID_NOT_FOUND: grpc.status.NOT_FOUND,
  UNKNOWN_MEMBER_ID: grpc.status.FAILED_PRECONDITION,
  ILLEGAL_GENERATION: grpc.status.FAILED_PRECONDITION,
  REBALANCE_IN_PROGRESS: grpc.status.FAILED_PRECONDITION,
  FENCED_INSTANCE_ID: grpc.status.FAILED_PRECONDITION,
  INCONSISTENT_GROUP_PROTOCOL: grpc.status.INVALID_ARGUMENT,
  INVALID_SESSION_TIMEOUT: grpc.status.INVALID_ARGUMENT,
  NON_EMPTY_GROUP: grpc.status.FAILED_PRECONDITION,
  GROUP_MAX_SIZE_REACHED: grpc.status.RESOURCE_EXHAUSTED,
  NOT_COORDINATOR: grpc.status.UNAVAILABLE,
  COORDINATOR_NOT_AVAILABLE: grpc.status.UNAVAILABLE,
  // storage (OFFSET_OUT_OF_RANGE and INVALID_CONFIG above)
  CORRUPT_LOG: grpc.status.DATA_LOSS,
  RECORD_TOO_LARGE: grpc.status.RESOURCE_EXHAUSTED,
  NON_CONTIGUOUS: grpc.status.INTERNAL,
  LOG_CLOSED: grpc.status.UNAVAILABLE,
  // records
  BATCH_TOO_SHORT: grpc.status.INVALID_ARGUMENT,
  BATCH_LENGTH_MISMATCH: grpc.status.INVALID_ARGUMENT,
  INVALID_MAGIC: grpc.status.INVALID_ARGUMENT,
  CORRUPT_BATCH: grpc.status.INVALID_ARGUMENT,
  BATCH_TOO_LARGE: grpc.status.RESOURCE_EXHAUSTED,
  INVALID_BATCH: grpc.status.INVALID_ARGUMENT,
  INVALID_RECORD: grpc.status.INVALID_ARGUMENT,
  UNSUPPORTED_COMPRESSION: grpc.status.INVALID_ARGUMENT,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
};

export interface StatusObject {
  code: grpc.status;
  details: string;
  /** Gregor's own error code, when the error has one. */
  reason?: string;
  leaderId?: number;
  leaderAddress?: string;
}

/** Whether the error is an expected answer to a bad request (not worth an error log line). */
export function isClientError(err: unknown): boolean {
  const status = toStatus(err).code;
  return status !== grpc.status.INTERNAL && status !== grpc.status.DATA_LOSS && status !== grpc.status.UNKNOWN;
}

export function toStatus(err: unknown): StatusObject {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && code in STATUS_BY_CODE) {
    const status: StatusObject = { code: STATUS_BY_CODE[code], details: message, reason: code };
    if (err instanceof NotLeaderError) {
      status.leaderId = err.leaderId;
      status.leaderAddress = err.leaderAddress;
    }
    return status;
  }
  return { code: grpc.status.INTERNAL, details: `internal error: ${message}` };
}
