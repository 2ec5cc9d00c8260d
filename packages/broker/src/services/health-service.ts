import * as grpc from '@grpc/grpc-js';
import type { HealthCheckRequest, HealthCheckResponse, ServingStatus } from '@gregor/proto';
import type { BrokerContext } from '../context';

/** Services the health check answers for; '' is the broker as a whole. */
const KNOWN_SERVICES = new Set(['', 'gregor.v1.Log', 'gregor.v1.Admin', 'gregor.v1.Groups']);

/** grpc.health.v1: SERVING until graceful shutdown starts, NOT_SERVING after. */
export function healthService(ctx: BrokerContext): grpc.UntypedServiceImplementation {
  const status = (): ServingStatus => (ctx.shutdownSignal.aborted ? 'NOT_SERVING' : 'SERVING');
  return {
    Check: (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: grpc.sendUnaryData<HealthCheckResponse>) => {
      if (!KNOWN_SERVICES.has(call.request.service ?? '')) {
        callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
        return;
      }
      callback(null, { status: status() });
    },
    Watch: (call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      const known = KNOWN_SERVICES.has(call.request.service ?? '');
      call.write({ status: known ? status() : 'SERVICE_UNKNOWN' });
      const onShutdown = (): void => {
        if (known) call.write({ status: 'NOT_SERVING' });
        call.end();
      };
      ctx.shutdownSignal.addEventListener('abort', onShutdown, { once: true });
      call.on('cancelled', () => ctx.shutdownSignal.removeEventListener('abort', onShutdown));
    },
  };
}
