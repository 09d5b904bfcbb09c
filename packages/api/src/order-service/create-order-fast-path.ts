import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { CreateOrderInput, Order } from '@pizza/contracts';
import { sendJson } from '@pizza/infra';
import { AppError, errorHeaders, toTRPCError } from '../app-error';
import { toErrorBody } from '../rest/rest-error-body';
import type { OrderService } from './order-service';

/**
 * `POST /api/v1/orders` in its common form, a valid body without an Idempotency-Key, placed
 * without the OpenAPI and tRPC adapters: building a fetch Request, abort signals and the
 * middleware chain cost about as much CPU as the order's storage transaction. It answers what
 * the adapter answers (201 with the Order, or the same 4xx body for a domain error). Anything
 * else, invalid bodies and keyed retries included, is left to the adapter.
 */
export function createOrderFastPath(orders: OrderService) {
  /** Answers and returns true, or returns false (nothing sent) for the adapter to handle. */
  return async (req: IncomingMessage, res: ServerResponse, body: unknown, reqId?: string): Promise<boolean> => {
    if (req.headers['idempotency-key'] !== undefined) return false;
    const parsed = CreateOrderInput.safeParse(body);
    if (!parsed.success) return false; // the adapter words the 400
    try {
      const { order } = await orders.placeOrder(parsed.data, undefined, reqId);
      // as the adapter does: the output validated, `Content-Type: application/json`
      res.statusCode = 201;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(Order.parse(order)));
    } catch (error) {
      if (!(error instanceof AppError)) throw error; // a 500, as from the adapter
      const status = getHTTPStatusCodeFromError(toTRPCError(error));
      sendJson(res, status, toErrorBody({ message: error.message, data: { appCode: error.code, ...error.details } }), errorHeaders(status));
    }
    return true;
  };
}
