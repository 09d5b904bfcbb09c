import { randomUUID } from 'node:crypto';
import { GROUPS, STREAMS } from '@pizza/contracts';
import type { Consumer, ServiceRuntime } from '@pizza/infra';
import { decideOrderEvent } from './order-lifecycle';

/**
 * orders-group: applies simulated statuses and delivery updates to orders. Each event is applied
 * once (inbox) in the same transaction as the order change and its outgoing events (outbox).
 */
export function consumeOrderLifecycle(runtime: ServiceRuntime, afterCommit: () => void): Consumer {
  const { bus, storage, metrics, logger } = runtime;
  return bus.consume({
    streams: [STREAMS.orderStatus, STREAMS.deliveries],
    group: GROUPS.orders,
    consumer: runtime.consumerName,
    concurrency: runtime.config.STREAM_CONCURRENCY,
    handler: async ({ envelope }) => {
      const result = await storage.applyToOrder(envelope.orderId, { group: GROUPS.orders, eventId: envelope.eventId }, (order) =>
        decideOrderEvent(order, envelope, { now: new Date().toISOString(), newId: randomUUID }),
      );
      if (result.kind === 'applied') {
        if (result.events.length > 0) afterCommit();
        for (const event of result.events) {
          if (event.type !== 'order.status_updated') continue;
          metrics.orderTransitions.inc({ status: event.payload.status });
          logger.info({ orderId: envelope.orderId, eventId: envelope.eventId, status: event.payload.status, cause: envelope.type }, 'order status changed');
        }
        return;
      }
      const reason = result.kind === 'ignored' ? 'stale' : result.kind;
      metrics.eventsIgnored.inc({ type: envelope.type, reason });
      if (result.kind === 'not_found') logger.warn({ orderId: envelope.orderId, eventId: envelope.eventId, type: envelope.type }, 'event for an unknown order ignored');
    },
  });
}
