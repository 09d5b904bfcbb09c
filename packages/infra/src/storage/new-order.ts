import { orderTotalCents, type MenuItem, type Order } from '@pizza/contracts';
import { StorageError, type PlaceOrderRequest, type PlaceOrderResult } from './storage-port';

/**
 * What placeOrder means independent of the engine: the order it creates and the reasons it
 * refuses. Both adapters use these so their answers are identical.
 */

/** A line whose stock was taken, with its menu item as read in the same transaction. */
export interface TakenLine {
  item: MenuItem;
  quantity: number;
}

export function newOrder(request: PlaceOrderRequest, lines: readonly TakenLine[]): Order {
  const items = lines.map(({ item, quantity }) => ({
    menuItemId: item.id,
    name: item.name,
    quantity,
    unitPriceCents: item.priceCents,
  }));
  const { customer, simulate } = request.command;
  return {
    id: request.orderId,
    status: 'created',
    customer: { name: customer.name.trim(), phone: customer.phone.trim(), address: customer.address.trim() },
    items,
    totalCents: orderTotalCents(items),
    simulate,
    createdAt: request.now,
    updatedAt: request.now,
    history: [{ status: 'created', at: request.now }],
    delivery: null,
  };
}

export function unknownMenuItem(menuItemId: string): StorageError {
  return new StorageError('UNKNOWN_MENU_ITEM', `Unknown menu item "${menuItemId}"`, { menuItemId });
}

export function insufficientStock(item: MenuItem, requested: number): StorageError {
  return new StorageError(
    'INSUFFICIENT_STOCK',
    `Not enough stock for ${item.name}: ${item.stock} left, ${requested} requested`,
    { menuItemId: item.id, available: item.stock },
  );
}

/** The answer to an Idempotency-Key seen before: the earlier order for the same request, else a conflict. */
export function replayOf(
  idempotency: { key: string; fingerprint: string },
  stored: { fingerprint: string; orderId: string },
  order: Order | null,
): PlaceOrderResult {
  if (stored.fingerprint !== idempotency.fingerprint) {
    throw new StorageError(
      'IDEMPOTENCY_CONFLICT',
      'This Idempotency-Key was already used with a different request',
      { orderId: stored.orderId },
    );
  }
  if (!order) throw new Error(`Idempotency key points at order ${stored.orderId}, which does not exist`);
  return { kind: 'replayed', order };
}
