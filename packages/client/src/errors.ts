import * as grpc from '@grpc/grpc-js';

/** gRPC status names, e.g. 'NOT_FOUND', 'OUT_OF_RANGE', 'INVALID_ARGUMENT', 'UNAVAILABLE'. */
export type GregorErrorCode = keyof typeof grpc.status;

const RETRIABLE = new Set<grpc.status>([grpc.status.UNAVAILABLE, grpc.status.ABORTED, grpc.status.DEADLINE_EXCEEDED]);

/** Every failure the SDK reports: a broker status, or a client-side check. */
export class GregorError extends Error {
  readonly code: GregorErrorCode;

  constructor(
    readonly status: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = 'GregorError';
    this.code = (grpc.status[status] ?? 'UNKNOWN') as GregorErrorCode;
  }

  /** Worth retrying as-is: the broker was unreachable, shutting down or too slow. */
  get retriable(): boolean {
    return RETRIABLE.has(this.status);
  }

  static from(err: unknown): GregorError {
    if (err instanceof GregorError) return err;
    const status = (err as Partial<grpc.ServiceError>)?.code;
    const details = (err as Partial<grpc.ServiceError>)?.details;
    if (typeof status === 'number') return new GregorError(status, details || (err as Error).message);
    return new GregorError(grpc.status.UNKNOWN, err instanceof Error ? err.message : String(err));
  }

  static invalid(message: string): GregorError {
    return new GregorError(grpc.status.INVALID_ARGUMENT, message);
  }
}
