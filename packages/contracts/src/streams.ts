/** Redis stream names. The in-process bus uses the same names. */
export const STREAMS = {
  orders: 'orders-stream',
  simulateOrder: 'simulate-order-stream',
  orderStatus: 'order-status-stream',
  deliveries: 'deliveries-stream',
  simulateDelivery: 'simulate-delivery-stream',
  deliveryStatus: 'delivery-status-stream',
  deadLetters: 'dead-letters',
} as const;
export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];

/** Consumer groups. Notifications replicas read without a group: every replica sees every entry. */
export const GROUPS = {
  delivery: 'delivery-group',
  simulator: 'simulator-group',
  orders: 'orders-group',
} as const;
export type GroupName = (typeof GROUPS)[keyof typeof GROUPS];

/** The `source` written into each envelope. */
export const SERVICES = {
  order: 'order-service',
  delivery: 'delivery-service',
  simulator: 'order-simulator',
  notifications: 'notifications-service',
} as const;
export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

/** A message that failed this many times goes to `dead-letters`. */
export const MAX_DELIVERY_ATTEMPTS = 3;
