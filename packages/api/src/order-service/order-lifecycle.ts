import {
  SERVICES,
  canAdvanceDelivery,
  canAdvanceOrder,
  makeEvent,
  nextSimulatedOrderStatus,
  orderStatusForDelivery,
  type EventEnvelope,
  type Order,
  type OrderDelivery,
  type OrderStatus,
} from '@pizza/contracts';

export interface DecideContext {
  now: string;
  newId: () => string;
}

type Decision = { next: Order; events: EventEnvelope[] } | null;

const SIMULATED_ORDER_STATUSES = new Set<OrderStatus>(['confirmed', 'preparing', 'out_for_delivery']);

/**
 * How the order service applies a lifecycle event to an order (pure). Returns null for stale,
 * duplicate or irrelevant events: a status never moves backwards.
 */
export function decideOrderEvent(order: Order, event: EventEnvelope, ctx: DecideContext): Decision {
  switch (event.type) {
    case 'order.status_simulated':
      // the kitchen's part ends at out_for_delivery: only a delivered delivery delivers an order
      if (!SIMULATED_ORDER_STATUSES.has(event.payload.status)) return null;
      return advance(order, event.payload.status, order.delivery, ctx);
    case 'delivery.created':
    case 'delivery.status_updated': {
      const delivery = mergeDelivery(order.delivery, event.payload.delivery);
      const target = orderStatusForDelivery(delivery.status);
      if (target && canAdvanceOrder(order.status, target)) return advance(order, target, delivery, ctx);
      if (delivery === order.delivery) return null;
      return { next: { ...order, delivery, updatedAt: ctx.now }, events: [] };
    }
    default:
      return null;
  }
}

/** Keeps the newer of two views of the delivery (statuses only move forward). */
function mergeDelivery(current: OrderDelivery | null, incoming: OrderDelivery): OrderDelivery {
  if (!current || current.id !== incoming.id) return current ?? incoming;
  return canAdvanceDelivery(current.status, incoming.status) ? incoming : current;
}

function advance(order: Order, status: OrderStatus, delivery: OrderDelivery | null, ctx: DecideContext): Decision {
  if (!canAdvanceOrder(order.status, status)) return null;
  const next: Order = {
    ...order,
    status,
    delivery,
    updatedAt: ctx.now,
    history: [...order.history, { status, at: ctx.now }],
  };
  const base = { orderId: order.id, source: SERVICES.order, occurredAt: ctx.now };
  const events: EventEnvelope[] = [
    makeEvent('order.status_updated', {
      ...base,
      eventId: ctx.newId(),
      payload: { status, previousStatus: order.status, simulate: order.simulate, deliveryStatus: delivery?.status ?? null },
    }),
  ];
  const following = order.simulate ? nextSimulatedOrderStatus(status) : null;
  if (following) events.push(makeEvent('order.simulate', { ...base, eventId: ctx.newId(), payload: { next: following } }));
  return { next, events };
}
