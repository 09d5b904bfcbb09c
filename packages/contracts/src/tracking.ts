import { z } from 'zod';
import { DeliveryStatus, OrderStatus } from './lifecycle';
import { OrderId, Timestamp } from './order';

/** Pushed on `/ws/v1/order-tracking/{orderId}` and yielded by the `orders.track` subscription. */
export const TrackingMessage = z.object({
  type: z.literal('status'),
  orderId: OrderId,
  status: OrderStatus,
  deliveryStatus: DeliveryStatus.nullable(),
  at: Timestamp,
});
export type TrackingMessage = z.infer<typeof TrackingMessage>;

export const PongMessage = z.object({ type: z.literal('pong') });

export const TrackInput = z.object({
  orderId: OrderId,
  /** The id of the last tracked event the client saw; the server resumes after it. */
  lastEventId: z.string().max(64).nullish(),
});
export type TrackInput = z.infer<typeof TrackInput>;

/** Close code for an unknown or malformed order id on the tracking socket. */
export const WS_CLOSE_UNKNOWN_ORDER = 4404;

export const TRACKING_SOCKET_PATH = '/ws/v1/order-tracking';
export const TRPC_SOCKET_PATH = '/ws/v1/trpc';

/** Server-Sent Events of one order's statuses (`event: status`, `id:` the tracked event id). */
export const ORDER_EVENTS_ROUTE = '/api/v1/orders/{id}/events';
export const orderEventsPath = (orderId: string) => `/api/v1/orders/${encodeURIComponent(orderId)}/events`;
/** The SSE event name of a status message. */
export const SSE_STATUS_EVENT = 'status';
