import { createHash, randomUUID } from 'node:crypto';
import { SERVICES, makeEvent, type CreateOrderCommand, type EventEnvelope, type Order } from '@pizza/contracts';
import { IDEMPOTENCY_WINDOW_MS, StorageError, StorageUnavailableError, type Metrics, type Storage } from '@pizza/infra';
import { AppError } from '../app-error';

export interface PlaceOrderDeps {
  storage: Storage;
  metrics: Metrics;
  /** Called after commit so the outbox relay publishes at once. */
  afterCommit: () => void;
}

/** The events an accepted order emits, written to the outbox in the order's transaction. */
export function orderCreatedEvents(order: Order): EventEnvelope[] {
  const base = { orderId: order.id, source: SERVICES.order, occurredAt: order.createdAt };
  const events: EventEnvelope[] = [
    makeEvent('order.created', {
      ...base,
      eventId: randomUUID(),
      payload: { status: 'created', simulate: order.simulate, totalCents: order.totalCents, items: order.items },
    }),
  ];
  if (order.simulate) {
    events.push(makeEvent('order.simulate', { ...base, eventId: randomUUID(), payload: { next: 'confirmed' } }));
  }
  return events;
}

/** Same body ⇔ same fingerprint (the command is already normalized by the schema). */
function fingerprint(command: CreateOrderCommand): string {
  return createHash('sha256').update(JSON.stringify(command)).digest('hex');
}

const REJECT_REASON = {
  UNKNOWN_MENU_ITEM: 'unknown_item',
  INSUFFICIENT_STOCK: 'insufficient_stock',
  IDEMPOTENCY_CONFLICT: 'idempotency_conflict',
} as const;

/**
 * Places an order: stock, order and outbox in one storage transaction (all or nothing).
 * Returns `replayed: true` when the Idempotency-Key was seen with the same body.
 */
export async function placeOrder(
  deps: PlaceOrderDeps,
  command: CreateOrderCommand,
  idempotencyKey?: string,
): Promise<{ order: Order; replayed: boolean }> {
  try {
    const now = new Date();
    const since = new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString();
    const result = await deps.storage.placeOrder({
      command,
      orderId: randomUUID(),
      now: now.toISOString(),
      events: orderCreatedEvents,
      ...(idempotencyKey ? { idempotency: { key: idempotencyKey, fingerprint: fingerprint(command), since } } : {}),
    });
    if (result.kind === 'created') {
      deps.metrics.ordersCreated.inc();
      deps.afterCommit();
    }
    return { order: result.order, replayed: result.kind === 'replayed' };
  } catch (error) {
    if (error instanceof StorageError) {
      deps.metrics.ordersRejected.inc({ reason: REJECT_REASON[error.code] });
      const { menuItemId, available } = error.details;
      throw new AppError(error.code, error.message, {
        ...(menuItemId !== undefined ? { menuItemId } : {}),
        ...(available !== undefined ? { available } : {}),
      });
    }
    if (error instanceof StorageUnavailableError) {
      deps.metrics.ordersRejected.inc({ reason: 'unavailable' });
      throw new AppError('SERVICE_UNAVAILABLE', 'Orders cannot be taken right now; please retry in a few seconds', {}, { cause: error });
    }
    throw error;
  }
}
