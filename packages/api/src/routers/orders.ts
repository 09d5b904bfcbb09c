import { TRPCError, tracked, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { CreateOrderInput, Order, TrackInput, buildCreateOrderInput } from '@pizza/contracts';
import { AppError } from '../app-error';
import { publicProcedure } from '../trpc';
import { withOrders, withTracking } from './require-service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * trpc-to-openapi coerces primitives in the input schema it is given ("2" → 2, "false" → true).
 * This check runs first, on the pristine shared schema, so bad types are refused everywhere.
 */
const strictCreateOrderInput = publicProcedure.use(async ({ ctx, getRawInput, next }) => {
  const parsed = CreateOrderInput.safeParse(await getRawInput());
  if (!parsed.success) {
    ctx.orders?.recordRejection('validation');
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid order', cause: parsed.error });
  }
  return next();
});

export const ordersRouter = {
  create: strictCreateOrderInput
    .meta({
      openapi: {
        method: 'POST',
        path: '/orders',
        tags: ['orders'],
        summary: 'Place an order (takes stock atomically)',
        description:
          'Send an `Idempotency-Key` header to make retries safe: the same key with the same body returns the same order; with another body, 409.',
        protect: false,
        requestHeaders: z.object({ 'idempotency-key': z.string().max(255).optional() }),
        successDescription: 'The order was created (or replayed for a repeated Idempotency-Key)',
        errorResponses: {
          400: 'Invalid body, unknown menu item or not enough stock',
          409: 'Idempotency-Key reused with a different body',
          413: 'Body over 64 KiB',
        },
      },
    })
    .input(buildCreateOrderInput())
    .output(Order)
    .mutation(async ({ ctx, input }) => {
      const key = ctx.idempotencyKey;
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        ctx.orders?.recordRejection('validation');
        throw new AppError('VALIDATION_ERROR', 'Idempotency-Key must be 1–255 visible ASCII characters');
      }
      const { order } = await withOrders(ctx).placeOrder(input, key, ctx.reqId);
      return order;
    }),

  byId: publicProcedure
    .meta({
      openapi: { method: 'GET', path: '/orders/{id}', tags: ['orders'], summary: 'One order with its history and delivery', protect: false, errorResponses: { 404: 'No such order' } },
    })
    .input(z.object({ id: z.string() }))
    .output(Order)
    .query(({ ctx, input }) => withOrders(ctx).getOrder(input.id)),

  /** Live status of one order; resumes after `lastEventId` without gaps or repeats. */
  track: publicProcedure.input(TrackInput).subscription(async function* ({ ctx, input, signal }) {
    for await (const message of withTracking(ctx).follow(input.orderId, input.lastEventId ?? null, signal)) {
      yield tracked(message.eventId, message.message);
    }
  }),
} satisfies TRPCRouterRecord;

