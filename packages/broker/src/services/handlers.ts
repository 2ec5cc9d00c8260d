import * as grpc from '@grpc/grpc-js';
import { BrokerError, ERROR_CODE_METADATA, LEADER_ADDRESS_METADATA, LEADER_ID_METADATA, isClientError, toStatus } from '../errors';
import type { BrokerContext } from '../context';
import { errorFields } from '../logger';

/** A gRPC status error as grpc-js expects it from handlers. */
export function statusError(err: unknown): Partial<grpc.ServiceError> {
  const status = toStatus(err);
  const error: Partial<grpc.ServiceError> = { code: status.code, details: status.details, message: status.details };
  if (status.reason) {
    error.metadata = new grpc.Metadata();
    error.metadata.set(ERROR_CODE_METADATA, status.reason);
    if (status.leaderId) error.metadata.set(LEADER_ID_METADATA, String(status.leaderId));
    if (status.leaderAddress) error.metadata.set(LEADER_ADDRESS_METADATA, status.leaderAddress);
  }
  return error;
}

export function logFailure(ctx: BrokerContext, method: string, err: unknown): void {
  if (!isClientError(err)) ctx.logger.error('rpc.failed', { method, ...errorFields(err) });
}

/** Answers a unary call with what `handle` returns; a failure becomes a gRPC status once `onFailure` has seen it. */
export function answerUnary<Req, Res>(
  handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  onFailure: (err: unknown) => void = () => undefined,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request, call))
      .then(
        (response) => callback(null, response),
        (err: unknown) => {
          onFailure(err);
          callback(statusError(err));
        },
      );
  };
}

/** A client-facing request handler: refused once shutdown starts; internal failures are logged. */
export function unary<Req, Res>(
  ctx: BrokerContext,
  method: string,
  handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return answerUnary(
    async (request, call) => {
      const done = ctx.metrics.startRequest(method);
      try {
        if (ctx.shutdownSignal.aborted) throw new BrokerError('SHUTTING_DOWN', 'broker is shutting down');
        const response = await handle(request, call);
        done();
        return response;
      } catch (err) {
        done(err);
        throw err;
      }
    },
    (err) => logFailure(ctx, method, err),
  );
}

/** An AbortSignal that fires when the call is cancelled or the broker shuts down. */
export function callSignal(ctx: BrokerContext, call: Pick<grpc.ServerUnaryCall<unknown, unknown>, 'on'>): AbortSignal {
  const cancelled = new AbortController();
  call.on('cancelled', () => cancelled.abort());
  return AbortSignal.any([cancelled.signal, ctx.shutdownSignal]);
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

/** A request's max_bytes: 0 means 1 MiB; never above the broker's message limit. */
export function maxBytesOf(ctx: BrokerContext, requested: number | undefined): number {
  if (!requested || requested < 0) return DEFAULT_MAX_BYTES;
  return Math.min(requested, ctx.config.maxRequestBytes);
}
