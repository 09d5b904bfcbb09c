import { z } from 'zod';

// the statuses, their labels and the rules over them are zod-free (./rules): the browser needs them without zod
import { DELIVERY_STATUSES, ORDER_STATUSES } from './rules';

export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;
