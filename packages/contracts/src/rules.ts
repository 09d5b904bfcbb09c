/**
 * Constants and rules with no zod in them, so a browser bundle that only needs these (the menu
 * page: categories, stock levels, order limits; the tracking page: statuses, labels, their order)
 * does not pull in the schema library.
 */

export const MENU_CATEGORIES = ['pizza', 'drinks', 'desserts'] as const;

/** At or below this many units left, an item shows as "low". */
export const LOW_STOCK_THRESHOLD = 10;

export type StockLevel = 'in_stock' | 'low' | 'sold_out';

export function stockLevel(stock: number): StockLevel {
  if (stock <= 0) return 'sold_out';
  if (stock <= LOW_STOCK_THRESHOLD) return 'low';
  return 'in_stock';
}

export const MAX_ORDER_LINES = 20;
export const MAX_LINE_QUANTITY = 50;
/** Request bodies above this size are refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export const ORDER_STATUSES = ['created', 'confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const;
export const DELIVERY_STATUSES = ['waiting', 'on_the_way', 'delivered'] as const;
/** The same unions as the `OrderStatus` and `DeliveryStatus` schemas infer (./lifecycle). */
type OrderStatusName = (typeof ORDER_STATUSES)[number];
type DeliveryStatusName = (typeof DELIVERY_STATUSES)[number];

/** Human labels, shared by the UI and logs. */
export const ORDER_STATUS_LABELS: Record<OrderStatusName, string> = {
  created: 'Created',
  confirmed: 'Confirmed',
  preparing: 'Preparing',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
};

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatusName, string> = {
  waiting: 'Waiting for courier',
  on_the_way: 'On the way',
  delivered: 'Delivered',
};

const orderRank = (s: OrderStatusName) => ORDER_STATUSES.indexOf(s);
const deliveryRank = (s: DeliveryStatusName) => DELIVERY_STATUSES.indexOf(s);

/**
 * A status only moves forward. Skipping ahead is allowed (the latest truth wins when an
 * earlier event is late); equal or earlier statuses are stale and must be ignored.
 */
export function canAdvanceOrder(from: OrderStatusName, to: OrderStatusName): boolean {
  return orderRank(to) > orderRank(from);
}

export function canAdvanceDelivery(from: DeliveryStatusName, to: DeliveryStatusName): boolean {
  return deliveryRank(to) > deliveryRank(from);
}

/** The step the simulator drives next, or null at the end of the kitchen's part. */
export function nextSimulatedOrderStatus(current: OrderStatusName): OrderStatusName | null {
  switch (current) {
    case 'created':
      return 'confirmed';
    case 'confirmed':
      return 'preparing';
    case 'preparing':
      return 'out_for_delivery';
    default:
      return null; // from out_for_delivery on, the delivery drives the order
  }
}

export function nextSimulatedDeliveryStatus(current: DeliveryStatusName): DeliveryStatusName | null {
  switch (current) {
    case 'waiting':
      return 'on_the_way';
    case 'on_the_way':
      return 'delivered';
    default:
      return null;
  }
}

/** The order status implied by a delivery status (delivered delivery → delivered order). */
export function orderStatusForDelivery(status: DeliveryStatusName): OrderStatusName | null {
  return status === 'delivered' ? 'delivered' : null;
}

/**
 * Total order of tracking states: (order status, delivery status). Used to never send a
 * client a state older than one it already has, and as the resumable tracking event id.
 */
export function trackingRank(status: OrderStatusName, deliveryStatus: DeliveryStatusName | null): number {
  return orderRank(status) * 10 + (deliveryStatus === null ? 0 : deliveryRank(deliveryStatus) + 1);
}

/** The kinds of hop in an order's journey, in the order they happen for one event. */
export const HOP_KINDS = ['http', 'commit', 'publish', 'process', 'push'] as const;

/**
 * Journey hops by time; hops in the same millisecond by kind (an order is accepted, then committed,
 * then published, processed and pushed), so a fast machine does not show a commit before its request.
 */
export function compareHops(a: { at: string; kind: (typeof HOP_KINDS)[number] }, b: { at: string; kind: (typeof HOP_KINDS)[number] }): number {
  return Date.parse(a.at) - Date.parse(b.at) || HOP_KINDS.indexOf(a.kind) - HOP_KINDS.indexOf(b.kind);
}
