import { randomUUID } from 'node:crypto';
import { GROUPS, SERVICES, STREAMS } from '@pizza/contracts';
import { createOutboxRelay, type Consumer, type ServiceModule, type ServiceRuntime } from '@pizza/infra';
import { decideDeliveryEvent } from './delivery-lifecycle';

/**
 * The delivery service (delivery-group): creates one delivery per order that goes out for
 * delivery and applies simulated delivery statuses. Its events leave through its own outbox.
 */
export function deliveryModule(runtime: ServiceRuntime): ServiceModule {
  const { bus, storage, logger, metrics } = runtime;
  const relay = createOutboxRelay({ storage, bus, source: SERVICES.delivery, logger, metrics });
  let consumer: Consumer | null = null;

  return {
    async start() {
      relay.start();
      consumer = bus.consume({
        streams: [STREAMS.orders, STREAMS.deliveryStatus],
        group: GROUPS.delivery,
        consumer: runtime.consumerName,
        concurrency: runtime.config.STREAM_CONCURRENCY,
        handler: async ({ envelope }) => {
          const relevant =
            envelope.type === 'delivery.status_simulated' ||
            (envelope.type === 'order.status_updated' && envelope.payload.status === 'out_for_delivery');
          if (!relevant) return;
          const result = await storage.applyToDelivery(envelope.orderId, { group: GROUPS.delivery, eventId: envelope.eventId }, (current) =>
            decideDeliveryEvent(current, envelope, { now: new Date().toISOString(), newId: randomUUID }),
          );
          if (result.kind === 'applied') {
            if (result.events.some((e) => e.type === 'delivery.created')) {
              metrics.deliveriesCreated.inc();
              logger.info({ orderId: envelope.orderId, deliveryId: result.value.id, courier: result.value.courier.name }, 'delivery created');
            }
            relay.nudge();
          } else {
            metrics.eventsIgnored.inc({ type: envelope.type, reason: result.kind === 'ignored' ? 'stale' : result.kind });
          }
        },
      });
      await consumer.ready;
    },
    async close() {
      await consumer?.close();
      await relay.close();
    },
  };
}
