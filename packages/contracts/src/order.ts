import { z } from 'zod';
import { DeliveryStatus, OrderStatus } from './lifecycle';
import { MenuItemId } from './menu';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from './rules';


export const Timestamp = z.iso.datetime({ offset: true });

export const OrderId = z.uuid();

// control characters and bidirectional overrides would corrupt labels and logs
const PRINTABLE = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
const printable = (field: string) => [PRINTABLE, `${field} must not contain control characters`] as const;

export const Customer = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .max(100, 'Name is at most 100 characters')
    .regex(...printable('Name')),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()-]{5,23}$/, 'Phone must be 6–24 digits, spaces, dashes or brackets, optionally starting with +'),
  address: z
    .string()
    .trim()
    .min(5, 'Address must be at least 5 characters')
    .max(300, 'Address is at most 300 characters')
    .regex(...printable('Address')),
});
export type Customer = z.infer<typeof Customer>;

const orderLineInput = () =>
  z.strictObject({
    menuItemId: MenuItemId,
    quantity: z
      .number()
      .int('Quantity must be a whole number')
      .min(1, 'Quantity must be at least 1')
      .max(MAX_LINE_QUANTITY, `Quantity must be at most ${MAX_LINE_QUANTITY}`),
  });
export const OrderLineInput = orderLineInput();
export type OrderLineInput = z.infer<typeof OrderLineInput>;

/**
 * Builds a fresh create-order schema. Each call returns new schema instances, because
 * trpc-to-openapi switches on coercion in the schema it is given (in place); the API keeps
 * the exported one pristine for its strict check.
 */
export function buildCreateOrderInput() {
  return z.strictObject({
    customer: Customer,
    items: z
      .array(orderLineInput())
      .min(1, 'An order needs at least one item')
      .max(MAX_ORDER_LINES, `An order has at most ${MAX_ORDER_LINES} lines`)
      .superRefine((items, ctx) => {
        const seen = new Set<string>();
        items.forEach((line, index) => {
          if (seen.has(line.menuItemId)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'menuItemId'],
              message: `Item "${line.menuItemId}" appears more than once; combine it into one line`,
            });
          }
          seen.add(line.menuItemId);
        });
      }),
    simulate: z.boolean().default(true),
  });
}
export const CreateOrderInput = buildCreateOrderInput();
export type CreateOrderInput = z.input<typeof CreateOrderInput>;
export type CreateOrderCommand = z.output<typeof CreateOrderInput>;

export const OrderItem = z.object({
  menuItemId: MenuItemId,
  name: z.string(),
  quantity: z.number().int().min(1),
  unitPriceCents: z.number().int().nonnegative(),
});
export type OrderItem = z.infer<typeof OrderItem>;

export const Courier = z.object({ name: z.string(), phone: z.string() });
export type Courier = z.infer<typeof Courier>;

export const OrderDelivery = z.object({
  id: z.uuid(),
  status: DeliveryStatus,
  courier: Courier,
  updatedAt: Timestamp,
});
export type OrderDelivery = z.infer<typeof OrderDelivery>;

export const HistoryEntry = z.object({ status: OrderStatus, at: Timestamp });
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const Order = z.object({
  id: OrderId,
  status: OrderStatus,
  customer: z.object({ name: z.string(), phone: z.string(), address: z.string() }),
  items: z.array(OrderItem),
  totalCents: z.number().int().nonnegative(),
  simulate: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  history: z.array(HistoryEntry),
  delivery: OrderDelivery.nullable(),
});
export type Order = z.infer<typeof Order>;

/** The delivery service's own record (one per order). */
export const Delivery = z.object({
  id: z.uuid(),
  orderId: OrderId,
  status: DeliveryStatus,
  courier: Courier,
  simulate: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  history: z.array(z.object({ status: DeliveryStatus, at: Timestamp })),
});
export type Delivery = z.infer<typeof Delivery>;

export function orderTotalCents(items: readonly OrderItem[]): number {
  return items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
}

/** True when a string looks like an order id; anything else is answered 404 without a lookup. */
export function isOrderId(value: string): boolean {
  return OrderId.safeParse(value).success;
}
