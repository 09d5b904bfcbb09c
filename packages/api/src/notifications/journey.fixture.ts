import { randomUUID } from 'node:crypto';
import {
  SERVICES,
  makeEvent,
  type Delivery,
  type DeliveryStatus,
  type EventEnvelope,
  type OrderDelivery,
  type OrderStatus,
} from '@pizza/contracts';
import type { Storage } from '@pizza/infra';

/** For tests: one order's whole journey, as the services publish it and as storage ends up. */

/** Ranks of the journey below, in order: created … out_for_delivery, the delivery's three steps, delivered. */
export const JOURNEY_RANKS = [0, 10, 20, 30, 31, 32, 33, 43];

const courier = { name: 'Ada', phone: '+1 555 0100' };

/** The lifecycle envelopes of one order, one second apart from `start`. */
export function journeyEvents(orderId: string, start = Date.now() - 60_000): EventEnvelope[] {
  const at = (i: number) => new Date(start + i * 1000).toISOString();
  const deliveryId = randomUUID();
  const delivery = (status: DeliveryStatus, i: number): OrderDelivery => ({ id: deliveryId, status, courier, updatedAt: at(i) });
  const base = (i: number) => ({ orderId, eventId: randomUUID(), occurredAt: at(i) });
  const order = (i: number, status: OrderStatus, previousStatus: OrderStatus, deliveryStatus: DeliveryStatus | null = null) =>
    makeEvent('order.status_updated', {
      ...base(i),
      source: SERVICES.order,
      payload: { status, previousStatus, simulate: true, deliveryStatus },
    });
  return [
    makeEvent('order.created', {
      ...base(0),
      source: SERVICES.order,
      payload: { status: 'created', simulate: true, totalCents: 999, items: [{ menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 999 }] },
    }),
    order(1, 'confirmed', 'created'),
    order(2, 'preparing', 'confirmed'),
    order(3, 'out_for_delivery', 'preparing'),
    makeEvent('delivery.created', { ...base(4), source: SERVICES.delivery, payload: { delivery: delivery('waiting', 4), simulate: true } }),
    makeEvent('delivery.status_updated', { ...base(5), source: SERVICES.delivery, payload: { delivery: delivery('on_the_way', 5), previousStatus: 'waiting' } }),
    makeEvent('delivery.status_updated', { ...base(6), source: SERVICES.delivery, payload: { delivery: delivery('delivered', 6), previousStatus: 'on_the_way' } }),
    order(7, 'delivered', 'out_for_delivery', 'delivered'),
  ];
}

/** Places a real order (no simulation) and returns its id. */
export async function placeTestOrder(storage: Storage): Promise<string> {
  const result = await storage.placeOrder({
    command: { customer: { name: 'Ada', phone: '+1 555 0100', address: '1 Analytical Way' }, items: [{ menuItemId: 'margherita', quantity: 1 }], simulate: false },
    orderId: randomUUID(),
    now: new Date().toISOString(),
    events: () => [],
  });
  return result.order.id;
}

/** Moves a stored order (and its delivery record) through the whole journey, as the services would. */
export async function deliverInStorage(storage: Storage, orderId: string): Promise<void> {
  const inbox = () => ({ group: 'test', eventId: randomUUID() });
  const now = () => new Date().toISOString();
  const moveOrder = (status: OrderStatus, delivery: OrderDelivery | null) =>
    storage.applyToOrder(orderId, inbox(), (order) => ({
      next: { ...order, status, delivery, updatedAt: now(), history: [...order.history, { status, at: now() }] },
      events: [],
    }));
  const moveDelivery = (status: DeliveryStatus) =>
    storage.applyToDelivery(orderId, inbox(), (current): { next: Delivery; events: [] } => {
      const at = now();
      const next: Delivery = current
        ? { ...current, status, updatedAt: at, history: [...current.history, { status, at }] }
        : { id: randomUUID(), orderId, status, courier, simulate: false, createdAt: at, updatedAt: at, history: [{ status, at }] };
      return { next, events: [] };
    });
  for (const status of ['confirmed', 'preparing', 'out_for_delivery'] as const) await moveOrder(status, null);
  for (const status of ['waiting', 'on_the_way', 'delivered'] as const) await moveDelivery(status);
  const delivery = (await storage.getDeliveryByOrder(orderId))!;
  await moveOrder('delivered', { id: delivery.id, status: delivery.status, courier, updatedAt: delivery.updatedAt });
}
