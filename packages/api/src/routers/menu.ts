import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { MenuItem } from '@pizza/contracts';
import { publicProcedure } from '../trpc';
import { withOrders, withStock } from './require-service';

export const menuRouter = {
  list: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/menu', tags: ['menu'], summary: 'The menu with live stock', protect: false } })
    .input(z.void())
    .output(z.array(MenuItem))
    .query(({ ctx }) => withOrders(ctx).listMenu()),

  byId: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/menu/{id}', tags: ['menu'], summary: 'One menu item', protect: false, errorResponses: { 404: 'No such item' } },
    })
    .input(z.object({ id: z.string() }))
    .output(MenuItem)
    .query(({ ctx, input }) => withOrders(ctx).getMenuItem(input.id)),

  /** Every item's stock at once, then the items whose stock changed, as orders take it. */
  stock: publicProcedure.subscription(async function* ({ ctx, signal }) {
    yield* withStock(ctx).follow(signal);
  }),
} satisfies TRPCRouterRecord;
