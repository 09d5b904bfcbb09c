import type { Metrics } from '@pizza/infra';
import type { SocketTransport } from './socket-endpoint';
import type { TrackingService } from './tracking-service';

/**
 * Counts every status handed to a transport and, for live changes, the time since the event
 * occurred (a replayed state's `at` is history, not latency).
 */
export function meterPushes(tracking: TrackingService, metrics: Metrics, transport: SocketTransport | 'sse'): TrackingService {
  return {
    async *follow(orderId, lastEventId, signal) {
      for await (const status of tracking.follow(orderId, lastEventId, signal)) {
        metrics.wsMessagesPushed.inc({ transport });
        if (status.live) {
          metrics.wsPushLatency.observe({ transport }, Math.max(0, Date.now() - Date.parse(status.message.at)) / 1000);
        }
        yield status;
      }
    },
  };
}
