import { z } from 'zod';
import { DeliveryStatus, OrderStatus } from './lifecycle';
import { OrderDelivery, OrderId, OrderItem, Timestamp } from './order';
import { STREAMS, type StreamName } from './streams';

/**
 * Any short string: validating it is the tracer's job, and a bad one must never reject the event.
 * A value that is not a string of at most 512 characters is dropped (the event starts a new trace).
 */
const TraceContextField = z.string().max(512).optional().catch(undefined);

const envelope = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.object({
    eventId: z.uuid(),
    type: z.literal(type),
    orderId: OrderId,
    source: z.string().min(1),
    occurredAt: Timestamp,
    payload,
    /** W3C trace context of the producer; a malformed value only starts a new trace. */
    traceparent: TraceContextField,
    tracestate: TraceContextField,
  });

export const OrderCreatedEvent = envelope(
  'order.created',
  z.object({
    status: z.literal('created'),
    simulate: z.boolean(),
    totalCents: z.number().int().nonnegative(),
    items: z.array(OrderItem),
  }),
);

export const OrderStatusUpdatedEvent = envelope(
  'order.status_updated',
  z.object({
    status: OrderStatus,
    previousStatus: OrderStatus,
    simulate: z.boolean(),
    deliveryStatus: DeliveryStatus.nullable(),
  }),
);

/** Asks the simulator to drive the order to `next` after a delay. */
export const OrderSimulateEvent = envelope('order.simulate', z.object({ next: OrderStatus }));

export const OrderStatusSimulatedEvent = envelope('order.status_simulated', z.object({ status: OrderStatus }));

export const DeliveryCreatedEvent = envelope(
  'delivery.created',
  z.object({ delivery: OrderDelivery, simulate: z.boolean() }),
);

export const DeliveryStatusUpdatedEvent = envelope(
  'delivery.status_updated',
  z.object({ delivery: OrderDelivery, previousStatus: DeliveryStatus }),
);

/** Asks the simulator to drive the delivery to `next` after a delay. */
export const DeliverySimulateEvent = envelope(
  'delivery.simulate',
  z.object({ deliveryId: z.uuid(), next: DeliveryStatus }),
);

export const DeliveryStatusSimulatedEvent = envelope(
  'delivery.status_simulated',
  z.object({ deliveryId: z.uuid(), status: DeliveryStatus }),
);

export const EventEnvelope = z.discriminatedUnion('type', [
  OrderCreatedEvent,
  OrderStatusUpdatedEvent,
  OrderSimulateEvent,
  OrderStatusSimulatedEvent,
  DeliveryCreatedEvent,
  DeliveryStatusUpdatedEvent,
  DeliverySimulateEvent,
  DeliveryStatusSimulatedEvent,
]);
export type EventEnvelope = z.infer<typeof EventEnvelope>;
export type EventType = EventEnvelope['type'];
export type EventOf<T extends EventType> = Extract<EventEnvelope, { type: T }>;
export type PayloadOf<T extends EventType> = EventOf<T>['payload'];

/** Which stream carries each event type. */
export const EVENT_STREAM: Record<EventType, StreamName> = {
  'order.created': STREAMS.orders,
  'order.status_updated': STREAMS.orders,
  'order.simulate': STREAMS.simulateOrder,
  'order.status_simulated': STREAMS.orderStatus,
  'delivery.created': STREAMS.deliveries,
  'delivery.status_updated': STREAMS.deliveries,
  'delivery.simulate': STREAMS.simulateDelivery,
  'delivery.status_simulated': STREAMS.deliveryStatus,
};

/** What a consumer writes to `dead-letters` after the last failed attempt. */
export const DeadLetter = z.object({
  stream: z.string(),
  group: z.string(),
  entryId: z.string(),
  /** The original envelope, parsed when it was JSON, else the raw text. */
  envelope: z.unknown(),
  error: z.string(),
  attempts: z.number().int(),
  failedAt: Timestamp,
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** Parses the `data` field of a stream entry. Throws on anything that is not a valid envelope. */
export function parseEnvelope(data: string): EventEnvelope {
  return EventEnvelope.parse(JSON.parse(data));
}

/** Builds an envelope; the caller chooses the id (fresh, or derived) so this module stays browser-safe. `occurredAt` defaults to now. */
export function makeEvent<T extends EventType>(
  type: T,
  fields: { orderId: string; source: string; payload: PayloadOf<T>; occurredAt?: string; eventId: string },
): EventOf<T> {
  return {
    eventId: fields.eventId,
    type,
    orderId: fields.orderId,
    source: fields.source,
    occurredAt: fields.occurredAt ?? new Date().toISOString(),
    payload: fields.payload,
  } as EventOf<T>;
}
