import * as grpc from '@grpc/grpc-js';

/**
 * Handlers that forward to an implementation created after the server is bound (the cluster
 * needs the bound port for its advertised address); until then calls fail as UNAVAILABLE.
 */
export function lateBound(methods: readonly string[], target: () => grpc.UntypedServiceImplementation | undefined): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of methods) {
    handlers[method] = ((call: unknown, callback?: grpc.sendUnaryData<unknown>) => {
      const impl = target();
      if (impl) return (impl[method] as (c: unknown, cb?: unknown) => void)(call, callback);
      if (callback) callback({ code: grpc.status.UNAVAILABLE, details: 'broker is starting' });
      else (call as grpc.ServerWritableStream<unknown, unknown>).destroy(new Error('broker is starting'));
    }) as grpc.UntypedHandleCall;
  }
  return handlers;
}
