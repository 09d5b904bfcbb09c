import {
  ORDER_STATUSES,
  ORDER_STATUS_LABELS,
  trackingRank,
  type DeliveryStatus,
  type Order,
  type OrderStatus,
  type TrackingMessage,
} from '@pizza/contracts';

/** Where an order is now: the newest of the order as fetched and the last status pushed live. */
export interface TrackingState {
  status: OrderStatus;
  deliveryStatus: DeliveryStatus | null;
}

export function rankOf(state: TrackingState): number {
  return trackingRank(state.status, state.deliveryStatus);
}

/** Keeps the newest message: a late or repeated one never moves the view backwards. */
export function newestMessage(current: TrackingMessage | null, incoming: TrackingMessage): TrackingMessage {
  return current && rankOf(current) >= rankOf(incoming) ? current : incoming;
}

export function currentState(order: Order, live: TrackingMessage | null): TrackingState {
  const fetched: TrackingState = { status: order.status, deliveryStatus: order.delivery?.status ?? null };
  return live && live.orderId === order.id && rankOf(live) > rankOf(fetched)
    ? { status: live.status, deliveryStatus: live.deliveryStatus }
    : fetched;
}

export type StepState = 'done' | 'current' | 'upcoming';

export interface TimelineStep {
  status: OrderStatus;
  label: string;
  /** When the order reached this step; null if not yet (or if it was skipped over). */
  at: string | null;
  state: StepState;
}

/** All five steps with the time each was reached (history first, then live pushes not fetched yet). */
export function buildTimeline(order: Order, live: TrackingMessage | null): TimelineStep[] {
  const reachedAt = new Map<OrderStatus, string>();
  for (const entry of order.history) if (!reachedAt.has(entry.status)) reachedAt.set(entry.status, entry.at);
  if (live && live.orderId === order.id && !reachedAt.has(live.status)) reachedAt.set(live.status, live.at);
  if (!reachedAt.has('created')) reachedAt.set('created', order.createdAt);

  const current = ORDER_STATUSES.indexOf(currentState(order, live).status);
  return ORDER_STATUSES.map((status, index) => ({
    status,
    label: ORDER_STATUS_LABELS[status],
    at: index <= current ? (reachedAt.get(status) ?? null) : null,
    state: index < current ? 'done' : index === current ? 'current' : 'upcoming',
  }));
}
