import {
  SERVICES,
  STREAMS,
  makeEvent,
  nextSimulatedDeliveryStatus,
  nextSimulatedOrderStatus,
  type Order,
} from '@pizza/contracts';
import type { EventBus, Logger, Storage } from '@pizza/infra';
import { summarize } from '../delivery/delivery-lifecycle';

/**
 * The in-process bus forgets its messages when the process dies. On start, the embedded process
 * asks again for the next step of every simulated order in progress (a step asked twice is
 * harmless: the status guards ignore the second).
 */
export async function resumeSimulations(deps: { storage: Storage; bus: EventBus; logger: Logger }): Promise<number> {
  const { storage, bus, logger } = deps;
  const orders = await storage.listSimulatedOrdersInProgress(100_000);
  for (const order of orders) await resumeOne(order, storage, bus);
  if (orders.length > 0) logger.info({ orders: orders.length }, 'resumed simulated orders in progress');
  return orders.length;
}

async function resumeOne(order: Order, storage: Storage, bus: EventBus): Promise<void> {
  const base = { eventId: crypto.randomUUID(), orderId: order.id };
  const next = nextSimulatedOrderStatus(order.status);
  if (next) {
    await bus.publish(STREAMS.simulateOrder, makeEvent('order.simulate', { ...base, source: SERVICES.order, payload: { next } }));
    return;
  }
  if (order.status !== 'out_for_delivery') return;
  const delivery = await storage.getDeliveryByOrder(order.id);
  if (!delivery) {
    // the delivery service never saw the order leave the kitchen: tell it again
    const payload = { status: order.status, previousStatus: order.status, simulate: true, deliveryStatus: null };
    await bus.publish(STREAMS.orders, makeEvent('order.status_updated', { ...base, source: SERVICES.order, payload }));
    return;
  }
  const nextDelivery = nextSimulatedDeliveryStatus(delivery.status);
  if (nextDelivery) {
    const payload = { deliveryId: delivery.id, next: nextDelivery };
    await bus.publish(STREAMS.simulateDelivery, makeEvent('delivery.simulate', { ...base, source: SERVICES.delivery, payload }));
  } else {
    // delivered, but the order service never heard: tell it again
    const payload = { delivery: summarize(delivery), previousStatus: delivery.status };
    await bus.publish(STREAMS.deliveries, makeEvent('delivery.status_updated', { ...base, source: SERVICES.delivery, payload }));
  }
}
