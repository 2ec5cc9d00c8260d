import * as grpc from '@grpc/grpc-js';
import type { Status } from '@gregor/proto';

/** gRPC status names, e.g. 'NOT_FOUND', 'OUT_OF_RANGE', 'INVALID_ARGUMENT', 'UNAVAILABLE'. */
export type GregorErrorCode = keyof typeof grpc.status;

/** Trailing-metadata keys of a broker error: Gregor's own code, and the partition's leader on NOT_LEADER. */
export const ERROR_REASON_METADATA = 'gregor-error';
export const LEADER_ID_METADATA = 'gregor-leader-id';
export const LEADER_ADDRESS_METADATA = 'gregor-leader-address';

const RETRIABLE = new Set<grpc.status>([grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.DEADLINE_EXCEEDED]);
/**
 * Reasons worth retrying whatever their status: the request went to a broker that does not lead
 * the partition, or a group's coordinator is moving or loading.
 */
const RETRIABLE_REASONS = new Set(['NOT_LEADER', 'LEADER_NOT_AVAILABLE', 'NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);
/** The leader refused a batch whose sequence does not follow the producer's last one. */
export const OUT_OF_ORDER_SEQUENCE_NUMBER = 'OUT_OF_ORDER_SEQUENCE_NUMBER';

export interface ErrorDetails {
  /** Gregor's own error code (NOT_LEADER, OUT_OF_ORDER_SEQUENCE_NUMBER, ...); '' when the broker sent none. */
  reason?: string;
  /** NOT_LEADER: the partition's leader, 0 when unknown. */
  leaderId?: number;
  /** NOT_LEADER: where to reach the leader, '' when unknown. */
  leaderAddress?: string;
}

/** grpc-js ends a failed connection's message with "Resolution note: " and, mostly, nothing after it. */
function withoutEmptyNote(message: string): string {
  return message.replace(/\. Resolution note: *$/, '');
}

function firstString(metadata: grpc.Metadata | undefined, key: string): string {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : '';
}

/** Every failure the SDK reports: a broker status, or a client-side check. */
export class GregorError extends Error {
  readonly code: GregorErrorCode;
  readonly reason: string;
  readonly leaderId: number;
  readonly leaderAddress: string;

  constructor(
    readonly status: grpc.status,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'GregorError';
    this.code = (grpc.status[status] ?? 'UNKNOWN') as GregorErrorCode;
    this.reason = details.reason ?? '';
    this.leaderId = details.leaderId ?? 0;
    this.leaderAddress = details.leaderAddress ?? '';
  }

  /**
   * Worth retrying: the broker was unreachable, shutting down or too slow, or
   * the partition's leader moved (retry on the leader after a metadata refresh).
   * Not an out-of-order sequence: resending that batch helps only while a batch
   * sent before it may still land, which only the partition's sender knows.
   */
  get retriable(): boolean {
    if (this.outOfOrderSequence) return false;
    return RETRIABLE.has(this.status) || RETRIABLE_REASONS.has(this.reason);
  }

  get outOfOrderSequence(): boolean {
    return this.reason === OUT_OF_ORDER_SEQUENCE_NUMBER;
  }

  /** The broker named the partition's current leader: retry there at once. */
  get redirect(): boolean {
    return this.reason === 'NOT_LEADER' && this.leaderAddress !== '';
  }

  /** The broker itself answered (as opposed to the connection failing). */
  get fromBroker(): boolean {
    return this.reason !== '';
  }

  static from(err: unknown): GregorError {
    if (err instanceof GregorError) return err;
    const serviceError = err as Partial<grpc.ServiceError> | undefined;
    const status = serviceError?.code;
    if (typeof status === 'number') {
      const metadata = serviceError?.metadata;
      return new GregorError(status, withoutEmptyNote(serviceError?.details || (err as Error).message), {
        reason: firstString(metadata, ERROR_REASON_METADATA),
        leaderId: Number(firstString(metadata, LEADER_ID_METADATA)) || 0,
        leaderAddress: firstString(metadata, LEADER_ADDRESS_METADATA),
      });
    }
    return new GregorError(grpc.status.UNKNOWN, err instanceof Error ? err.message : String(err));
  }

  /** An error carried inside a ProduceStream response. */
  static fromStatus(status: Status): GregorError {
    return new GregorError(status.code, status.message, {
      reason: status.reason,
      leaderId: status.leaderId,
      leaderAddress: status.leaderAddress,
    });
  }

  static invalid(message: string): GregorError {
    return new GregorError(grpc.status.INVALID_ARGUMENT, message);
  }

  /** A request the cluster's state rules out for now, e.g. a group with live members; `reason` as the broker would name it. */
  static failedPrecondition(message: string, reason = ''): GregorError {
    return new GregorError(grpc.status.FAILED_PRECONDITION, message, { reason });
  }

  /** An unknown topic, partition or group, as the broker reports its own. */
  static notFound(message: string): GregorError {
    return new GregorError(grpc.status.NOT_FOUND, message);
  }
}
