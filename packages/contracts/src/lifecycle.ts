import { z } from 'zod';

export const ORDER_STATUSES = ['created', 'confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const DELIVERY_STATUSES = ['waiting', 'on_the_way', 'delivered'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** Human labels, shared by the UI and logs. */
export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  created: 'Created',
  confirmed: 'Confirmed',
  preparing: 'Preparing',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
};

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  waiting: 'Waiting for courier',
  on_the_way: 'On the way',
  delivered: 'Delivered',
};

const orderRank = (s: OrderStatus) => ORDER_STATUSES.indexOf(s);
const deliveryRank = (s: DeliveryStatus) => DELIVERY_STATUSES.indexOf(s);

/**
 * A status only moves forward. Skipping ahead is allowed (the latest truth wins when an
 * earlier event is late); equal or earlier statuses are stale and must be ignored.
 */
export function canAdvanceOrder(from: OrderStatus, to: OrderStatus): boolean {
  return orderRank(to) > orderRank(from);
}

export function canAdvanceDelivery(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return deliveryRank(to) > deliveryRank(from);
}

/** The step the simulator drives next, or null at the end of the kitchen's part. */
export function nextSimulatedOrderStatus(current: OrderStatus): OrderStatus | null {
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

export function nextSimulatedDeliveryStatus(current: DeliveryStatus): DeliveryStatus | null {
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
export function orderStatusForDelivery(status: DeliveryStatus): OrderStatus | null {
  return status === 'delivered' ? 'delivered' : null;
}

/**
 * Total order of tracking states: (order status, delivery status). Used to never send a
 * client a state older than one it already has, and as the resumable tracking event id.
 */
export function trackingRank(status: OrderStatus, deliveryStatus: DeliveryStatus | null): number {
  return orderRank(status) * 10 + (deliveryStatus === null ? 0 : deliveryRank(deliveryStatus) + 1);
}
