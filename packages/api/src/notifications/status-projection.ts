import { nameBasedUuid } from '@pizza/infra';
import {
  DELIVERY_STATUSES,
  ORDER_STATUSES,
  canAdvanceDelivery,
  canAdvanceOrder,
  trackingRank,
  type Delivery,
  type DeliveryStatus,
  type EventEnvelope,
  type Order,
  type OrderStatus,
  type TrackingMessage,
} from '@pizza/contracts';

/**
 * Pure folding of lifecycle events and stored orders into tracking messages. A state is
 * `(status, deliveryStatus)`; each part only moves forward and `trackingRank` orders states.
 */

export const rankOf = (message: Pick<TrackingMessage, 'status' | 'deliveryStatus'>): number =>
  trackingRank(message.status, message.deliveryStatus);

/**
 * The tracked event id of a step (what a client sends back as `lastEventId`): a UUID derived
 * from the order and the step, so every replica, and a restarted one, names a step the same way.
 */
export function trackedEventId(orderId: string, rank: number): string {
  return nameBasedUuid(`tracking:${orderId}:${rank}`);
}

export const eventIdOf = (message: TrackingMessage): string => trackedEventId(message.orderId, rankOf(message));

/** Every rank a step of the journey can have. */
const ALL_RANKS = ORDER_STATUSES.flatMap((status) => [null, ...DELIVERY_STATUSES].map((d) => trackingRank(status, d)));

/** The rank a `lastEventId` names for this order; anything that is not one of its steps counts as absent. */
export function rankOfEventId(orderId: string, lastEventId: string | null | undefined): number | null {
  if (lastEventId == null) return null;
  return ALL_RANKS.find((rank) => trackedEventId(orderId, rank) === lastEventId) ?? null;
}

const laterOrder = (from: OrderStatus, to: OrderStatus): OrderStatus => (canAdvanceOrder(from, to) ? to : from);

const laterDelivery = (from: DeliveryStatus | null, to: DeliveryStatus | null): DeliveryStatus | null => {
  if (to === null) return from;
  if (from === null) return to;
  return canAdvanceDelivery(from, to) ? to : from;
};

/** The state an event reports on its own, or null for events that do not move tracking. */
function reportedState(event: EventEnvelope): { status: OrderStatus; deliveryStatus: DeliveryStatus | null } | null {
  switch (event.type) {
    case 'order.created':
      return { status: 'created', deliveryStatus: null };
    case 'order.status_updated':
      return { status: event.payload.status, deliveryStatus: event.payload.deliveryStatus };
    case 'delivery.created':
    case 'delivery.status_updated':
      // a delivery exists only once its order is out for delivery
      return { status: 'out_for_delivery', deliveryStatus: event.payload.delivery.status };
    default:
      return null;
  }
}

/** True for the events that can move an order's tracking state. */
export const isTrackingEvent = (event: EventEnvelope): boolean => reportedState(event) !== null;

/**
 * The next tracking message after `event`, or null when the event changes nothing (another
 * type, a duplicate, or a stale event that arrived after a newer one).
 */
export function projectEvent(current: TrackingMessage | null, event: EventEnvelope): TrackingMessage | null {
  const reported = reportedState(event);
  if (!reported) return null;
  const status = current ? laterOrder(current.status, reported.status) : reported.status;
  const deliveryStatus = current ? laterDelivery(current.deliveryStatus, reported.deliveryStatus) : reported.deliveryStatus;
  if (current && trackingRank(status, deliveryStatus) <= rankOf(current)) return null;
  return { type: 'status', orderId: event.orderId, status, deliveryStatus, at: event.occurredAt };
}

/**
 * Every step a stored order has reached, in rank order, ending with its current state. Times
 * come from the order's history and the delivery's history (or `order.delivery.updatedAt` when
 * the delivery record is not at hand).
 */
export function stepsOfOrder(order: Order, delivery: Delivery | null = null): TrackingMessage[] {
  const deliverySteps =
    delivery?.history ?? (order.delivery ? [{ status: order.delivery.status, at: order.delivery.updatedAt }] : []);
  // the delivery record may be fresher than the order's copy of it
  const finalDelivery = laterDelivery(order.delivery?.status ?? null, delivery?.status ?? null);
  const message = (status: OrderStatus, deliveryStatus: DeliveryStatus | null, at: string): TrackingMessage => ({
    type: 'status',
    orderId: order.id,
    status,
    deliveryStatus,
    at,
  });

  const candidates: TrackingMessage[] = [
    ...order.history.map((h) => message(h.status, h.status === 'delivered' ? finalDelivery : null, h.at)),
    ...deliverySteps.map((d) => message('out_for_delivery', d.status, d.at)),
    message(order.status, finalDelivery, order.updatedAt),
  ];
  const byRank = new Map<number, TrackingMessage>();
  for (const candidate of candidates) {
    const rank = rankOf(candidate);
    // keep the first (recorded) time of a step; the trailing current state only fills a gap
    if (!byRank.has(rank)) byRank.set(rank, candidate);
  }
  const current = rankOf(message(order.status, finalDelivery, order.updatedAt));
  return [...byRank.entries()]
    .filter(([rank]) => rank <= current)
    .sort(([a], [b]) => a - b)
    .map(([, step]) => step);
}
