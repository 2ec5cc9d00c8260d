import { ErrorCode, kafkaErrorCode, type ErrorCodeValue } from '../error-codes';

/**
 * The Kafka error code for a failed group request. The broker names a coordinator whose offsets
 * partition has moved or has no leader yet as a partition error; Kafka clients of the group APIs
 * look for the coordinator again on NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE only.
 */
export function groupErrorCode(err: unknown): ErrorCodeValue {
  const code = kafkaErrorCode(err);
  if (code === ErrorCode.NOT_LEADER_OR_FOLLOWER) return ErrorCode.NOT_COORDINATOR;
  if (code === ErrorCode.LEADER_NOT_AVAILABLE) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  return code;
}
