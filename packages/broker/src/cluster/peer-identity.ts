import * as grpc from '@grpc/grpc-js';
import { BrokerError } from '../errors';
import { statusError } from '../services/handlers';

/** Metadata naming the broker that makes a peer call. */
export const PEER_ID_METADATA = 'gregor-peer-id';

/** A client interceptor that names this broker on every call it makes to a peer. */
export function identifyAs(brokerId: number): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(PEER_ID_METADATA, String(brokerId));
        next(metadata, listener);
      },
    });
}

type Handler = (call: { metadata: grpc.Metadata }, callback: grpc.sendUnaryData<unknown>) => void;

/**
 * Handlers that refuse (PERMISSION_DENIED) a caller not naming a cluster member, so a stray
 * client or a broker of another cluster cannot vote, propose or replicate. The id is claimed,
 * not proven: authenticating it is for TLS on this listener. Every peer method is unary or
 * client-streaming, so each answers through its callback.
 */
export function membersOnly(
  handlers: grpc.UntypedServiceImplementation,
  isMember: (brokerId: number) => boolean,
  /** Per method, a caller that is no member yet but may make this call (a broker joining with its first heartbeat). */
  newcomers: Readonly<Record<string, (claimed: number, request: unknown) => boolean>> = {},
): grpc.UntypedServiceImplementation {
  const guarded: grpc.UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(handlers)) {
    const admitsNewcomer = newcomers[method];
    guarded[method] = ((call, callback) => {
      const [claimed] = call.metadata.get(PEER_ID_METADATA);
      const id = typeof claimed === 'string' && /^\d+$/.test(claimed) ? Number(claimed) : 0;
      if (id > 0 && (isMember(id) || admitsNewcomer?.(id, (call as { request?: unknown }).request))) return (handler as Handler)(call, callback);
      const who = claimed === undefined ? 'a caller naming no broker id' : `broker id ${JSON.stringify(String(claimed))}`;
      callback(statusError(new BrokerError('PERMISSION_DENIED', `${method} refused: ${who} is not a member of this cluster`)));
    }) as Handler as grpc.UntypedHandleCall;
  }
  return guarded;
}
