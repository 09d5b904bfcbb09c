import { SERVICES } from '@pizza/contracts';
import { traceIdOf, type JourneyStore } from '@pizza/infra';
import type { OrderService } from './order-service';

/**
 * The order service as the HTTP transports see it, recording an `http` hop for each order accepted
 * over HTTP (REST or tRPC): `at` when the request reached the service, `tookMs` until it was stored.
 * Orders of the load generator go around it (they never crossed HTTP).
 */
export function recordHttpHops(orders: OrderService, journeys: JourneyStore, instance: string): OrderService {
  return {
    ...orders,
    async placeOrder(command, idempotencyKey, reqId) {
      const started = Date.now();
      const result = await orders.placeOrder(command, idempotencyKey, reqId);
      if (!result.replayed) {
        journeys.record(result.order.id, {
          at: new Date(started).toISOString(),
          kind: 'http',
          service: SERVICES.order,
          instance,
          tookMs: Date.now() - started,
          ...traceIdOf(),
        });
      }
      return result;
    },
  };
}
