import {
  SERVICES,
  canAdvanceDelivery,
  makeEvent,
  nextSimulatedDeliveryStatus,
  type Delivery,
  type DeliveryStatus,
  type EventEnvelope,
  type OrderDelivery,
} from '@pizza/contracts';
import { assignCourier } from './couriers';

export interface DecideContext {
  now: string;
  newId: () => string;
}

type Decision = { next: Delivery; events: EventEnvelope[] } | null;

export const summarize = (d: Delivery): OrderDelivery => ({ id: d.id, status: d.status, courier: d.courier, updatedAt: d.updatedAt });

/**
 * How the delivery service reacts to an event (pure): an order out for delivery gets its one
 * delivery; simulated delivery statuses move it forward. Anything else, or stale, is null.
 */
export function decideDeliveryEvent(current: Delivery | null, event: EventEnvelope, ctx: DecideContext): Decision {
  if (event.type === 'order.status_updated') {
    if (event.payload.status !== 'out_for_delivery' || current) return null; // one delivery per order
    const delivery: Delivery = {
      id: ctx.newId(),
      orderId: event.orderId,
      status: 'waiting',
      courier: assignCourier(event.orderId),
      simulate: event.payload.simulate,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      history: [{ status: 'waiting', at: ctx.now }],
    };
    const events: EventEnvelope[] = [
      makeEvent('delivery.created', {
        eventId: ctx.newId(),
        orderId: event.orderId,
        source: SERVICES.delivery,
        occurredAt: ctx.now,
        payload: { delivery: summarize(delivery), simulate: delivery.simulate },
      }),
    ];
    return { next: delivery, events: [...events, ...simulateNext(delivery, ctx)] };
  }
  if (event.type === 'delivery.status_simulated') {
    if (!current || current.id !== event.payload.deliveryId) return null;
    return advance(current, event.payload.status, ctx);
  }
  return null;
}

function advance(current: Delivery, status: DeliveryStatus, ctx: DecideContext): Decision {
  if (!canAdvanceDelivery(current.status, status)) return null;
  const next: Delivery = { ...current, status, updatedAt: ctx.now, history: [...current.history, { status, at: ctx.now }] };
  const updated = makeEvent('delivery.status_updated', {
    eventId: ctx.newId(),
    orderId: current.orderId,
    source: SERVICES.delivery,
    occurredAt: ctx.now,
    payload: { delivery: summarize(next), previousStatus: current.status },
  });
  return { next, events: [updated, ...simulateNext(next, ctx)] };
}

function simulateNext(delivery: Delivery, ctx: DecideContext): EventEnvelope[] {
  const next = delivery.simulate ? nextSimulatedDeliveryStatus(delivery.status) : null;
  if (!next) return [];
  return [
    makeEvent('delivery.simulate', {
      eventId: ctx.newId(),
      orderId: delivery.orderId,
      source: SERVICES.delivery,
      occurredAt: ctx.now,
      payload: { deliveryId: delivery.id, next },
    }),
  ];
}
