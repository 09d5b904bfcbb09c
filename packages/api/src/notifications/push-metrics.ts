import type { Metrics } from '@pizza/infra';
import type { SocketTransport } from './socket-endpoint';
import type { TrackedStatus, TrackingService } from './tracking-service';

/**
 * Counts a status handed to a transport and, for a live change, the time since the event occurred
 * (a replayed state's `at` is history, not latency).
 */
export function countPush(metrics: Metrics, transport: SocketTransport | 'sse', status: TrackedStatus): void {
  metrics.wsMessagesPushed.inc({ transport });
  if (status.live) {
    metrics.wsPushLatency.observe({ transport }, Math.max(0, Date.now() - Date.parse(status.message.at)) / 1000);
  }
}

/** `tracking` with every status it yields counted (for transports that consume it as a stream). */
export function meterPushes(tracking: TrackingService, metrics: Metrics, transport: SocketTransport | 'sse'): TrackingService {
  return {
    async *follow(orderId, lastEventId, signal) {
      for await (const status of tracking.follow(orderId, lastEventId, signal)) {
        countPush(metrics, transport, status);
        yield status;
      }
    },
  };
}
