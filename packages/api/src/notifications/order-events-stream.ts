import type { IncomingMessage, ServerResponse } from 'node:http';
import { ORDER_EVENTS_ROUTE, SSE_STATUS_EVENT, isOrderId, type TrackingMessage } from '@pizza/contracts';
import { sendJson, type Logger, type Metrics, type RequestHandler, type RequestScope } from '@pizza/infra';
import type { ConnectionPolicy } from './connection-policy';
import { meterPushes } from './push-metrics';
import { SlowFollowerError } from './status-listener';
import type { TrackingService } from './tracking-service';

export interface OrderEventsTracking extends TrackingService {
  /** The latest known state of an order, or null when there is no such order. */
  current(orderId: string): Promise<TrackingMessage | null>;
}

export interface OrderEventsStreamOptions {
  tracking: OrderEventsTracking;
  policy: ConnectionPolicy;
  metrics: Metrics;
  logger: Logger;
  /** A comment line goes out after this much silence (at most 15 s). */
  keepAliveMs: number;
  /** A client whose unsent data exceeds this is too slow and is cut off. */
  maxBufferedBytes: number;
}

export interface OrderEventsStream {
  handler: RequestHandler;
  routeOf: (method: string, path: string) => string | null;
  connections(): number;
  /** Ends every open stream (clients reconnect with Last-Event-ID, e.g. to another replica). */
  close(): void;
}

const PATH = /^\/api\/v1\/orders\/([^/]+)\/events\/?$/;
/** EventSource waits this long before reconnecting after the server ends a stream. */
const RETRY_MS = 2000;

/** The order id of `/api/v1/orders/{id}/events` (null when malformed), or undefined for another path. */
function orderIdOf(path: string): string | null | undefined {
  const match = PATH.exec(path);
  if (!match) return undefined;
  try {
    const id = decodeURIComponent(match[1]!);
    return isOrderId(id) ? id.toLowerCase() : null; // stored lower-case; REST accepts either case
  } catch {
    return null;
  }
}

/** `Last-Event-ID` (what EventSource sends on reconnect), else `?lastEventId=` (a first connect resuming elsewhere). */
function lastEventIdOf(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['last-event-id'];
  const id = (typeof header === 'string' ? header : null) ?? url.searchParams.get('lastEventId');
  return id && id.length <= 64 ? id : null;
}

const frame = (eventId: string, message: TrackingMessage) => `id: ${eventId}\nevent: ${SSE_STATUS_EVENT}\ndata: ${JSON.stringify(message)}\n\n`;

/**
 * `GET /api/v1/orders/{id}/events`: one order's statuses as Server-Sent Events, from the same
 * tracking hub (and with the same event ids) as the WebSocket transports. 404 JSON for an unknown
 * order and the policy's refusal (e.g. 503 at capacity) are sent before any stream starts.
 */
export function createOrderEventsStream(options: OrderEventsStreamOptions): OrderEventsStream {
  const { metrics, policy } = options;
  const tracking = meterPushes(options.tracking, metrics, 'sse');
  const log = options.logger.child({ component: 'order-events-stream' });
  const open = new Set<ServerResponse>();
  const keepAliveMs = Math.min(options.keepAliveMs, 15_000);

  const stream = async (req: IncomingMessage, res: ServerResponse, orderId: string, lastEventId: string | null) => {
    // gone while the order was looked up: its 'close' has fired already and would never free the slot
    if (res.destroyed || req.destroyed) return;
    const abort = new AbortController();
    open.add(res);
    metrics.wsConnections.inc({ transport: 'sse' });
    res.once('close', () => {
      open.delete(res);
      metrics.wsConnections.dec({ transport: 'sse' });
      abort.abort();
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // NGINX: pass each event through at once
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    let wroteAt = Date.now();
    const keepAlive = setInterval(() => {
      if (Date.now() - wroteAt < keepAliveMs / 2) return;
      wroteAt = Date.now();
      res.write(': keep-alive\n\n');
    }, keepAliveMs / 2);
    try {
      for await (const { eventId, message } of tracking.follow(orderId, lastEventId, abort.signal)) {
        res.write(frame(eventId, message));
        wroteAt = Date.now();
        if (res.writableLength > options.maxBufferedBytes) throw new SlowFollowerError('client does not read its event stream');
      }
    } catch (err) {
      if (err instanceof SlowFollowerError) metrics.wsDropped.inc({ transport: 'sse', reason: 'slow' });
      else log.error({ err, orderId }, 'order event stream failed');
    } finally {
      clearInterval(keepAlive);
      res.end();
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, scope: RequestScope, orderId: string | null): Promise<boolean> => {
    if (req.method !== 'GET') {
      sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${ORDER_EVENTS_ROUTE} answers GET` }, { allow: 'GET' });
      return true;
    }
    const refusal = policy.refusal(req);
    if (refusal) {
      metrics.wsDropped.inc({ transport: 'sse', reason: refusal.reason });
      sendJson(res, refusal.status, { code: refusal.code, message: refusal.message }, refusal.headers);
      return true;
    }
    if (!orderId || !(await options.tracking.current(orderId))) {
      metrics.wsDropped.inc({ transport: 'sse', reason: 'unknown_order' });
      sendJson(res, 404, { code: 'NOT_FOUND', message: orderId ? `Order "${orderId}" does not exist` : 'Not an order id' });
      return true;
    }
    await stream(req, res, orderId, lastEventIdOf(req, scope.url));
    return true;
  };

  return {
    // other paths are declined without a promise (in the all-in-one process every request passes here)
    handler(req, res, scope) {
      const orderId = orderIdOf(scope.path);
      return orderId === undefined ? false : serve(req, res, scope, orderId);
    },
    routeOf: (_method, path) => (PATH.test(path) ? ORDER_EVENTS_ROUTE : null),
    connections: () => open.size,
    close() {
      for (const res of open) res.end();
    },
  };
}
