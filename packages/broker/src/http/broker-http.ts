import type { BrokerContext } from '../context';
import type { BrokerMetrics } from './broker-metrics';
import { type HttpRoute, jsonReply } from './http-listener';
import { unreadyReasons } from './readiness';

/** What the broker's HTTP port serves: Prometheus metrics and the health probes. */
export function brokerRoutes(ctx: BrokerContext, metrics: BrokerMetrics): Map<string, HttpRoute> {
  return new Map<string, HttpRoute>([
    ['/metrics', async () => ({ status: 200, contentType: metrics.contentType, body: await metrics.text() })],
    ['/healthz', () => jsonReply(200, { status: 'alive' })],
    [
      '/readyz',
      () => {
        const reasons = unreadyReasons(ctx);
        return reasons.length === 0 ? jsonReply(200, { ready: true }) : jsonReply(503, { ready: false, reasons });
      },
    ],
  ]);
}
