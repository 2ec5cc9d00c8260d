import * as grpc from '@grpc/grpc-js';
import { GregorError } from '../errors';

/** What a coordinator's answer tells a member to do about its membership. */
export type GroupErrorAction =
  /** Join again with the same member id and generation. */
  | 'rejoin'
  /** The generation is gone: partitions are lost, join again. */
  | 'reset-generation'
  /** The member is gone: partitions are lost, join again under a new member id. */
  | 'reset-member'
  /** Another instance took this member's group.instance.id: the consumer cannot go on. */
  | 'fatal'
  /** Not about membership (a coordinator moving, a broker down): try again later. */
  | 'retry'
  | 'other';

export function groupErrorAction(error: GregorError): GroupErrorAction {
  switch (error.reason) {
    case 'REBALANCE_IN_PROGRESS':
      return 'rejoin';
    case 'ILLEGAL_GENERATION':
      return 'reset-generation';
    case 'UNKNOWN_MEMBER_ID':
      return 'reset-member';
    case 'FENCED_INSTANCE_ID':
      return 'fatal';
    default:
      return error.retriable ? 'retry' : 'other';
  }
}

/** A client-side refusal shaped as the coordinator would answer it, so callers handle both alike. */
export function groupError(reason: 'ILLEGAL_GENERATION' | 'UNKNOWN_MEMBER_ID' | 'INCONSISTENT_GROUP_PROTOCOL', message: string): GregorError {
  return new GregorError(grpc.status.FAILED_PRECONDITION, message, { reason });
}
