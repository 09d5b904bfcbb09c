import { TRPCError } from '@trpc/server';
import type { ApiContext } from '../trpc';

// One router is served by several processes; each procedure needs the service it calls.
function missing(name: string): never {
  throw new TRPCError({ code: 'NOT_IMPLEMENTED', message: `The ${name} service does not run in this process` });
}

export const withOrders = (ctx: ApiContext) => ctx.orders ?? missing('order');
export const withTracking = (ctx: ApiContext) => ctx.tracking ?? missing('notifications');
export const withStock = (ctx: ApiContext) => ctx.stock ?? missing('notifications');
