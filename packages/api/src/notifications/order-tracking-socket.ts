import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { TRACKING_SOCKET_PATH, WS_CLOSE_UNKNOWN_ORDER, isOrderId } from '@pizza/contracts';
import type { Logger, Metrics } from '@pizza/infra';
import { AppError } from '../app-error';
import type { OriginCheck } from './origin-policy';
import { countPush } from './push-metrics';
import { CLOSE_TRY_AGAIN, createSocketEndpoint, type SocketEndpoint } from './socket-endpoint';
import { SlowFollowerError } from './status-listener';
import type { TrackingService } from './tracking-service';

export interface TrackingSocketOptions {
  tracking: TrackingService;
  metrics: Metrics;
  logger: Logger;
  pingIntervalMs: number;
  /** A client that sends nothing (not even a pong) for this long is dropped. */
  idleTimeoutMs: number;
  /** A client whose unsent data exceeds this is too slow and is closed. */
  maxBufferedBytes: number;
  originAllowed: OriginCheck;
  atCapacity: () => boolean;
}

/** Client frames are only `ping`: anything larger is refused by ws (close 1009). */
const MAX_CLIENT_FRAME_BYTES = 1024;
const CLOSE_INTERNAL_ERROR = 1011;
const PONG = JSON.stringify({ type: 'pong' });
const PREFIX = `${TRACKING_SOCKET_PATH}/`;

interface Liveness {
  heardAt: number;
  pingedAt: number;
}

/** The order id in `/ws/v1/order-tracking/{orderId}`, or null when the path holds no valid one. */
function orderIdOf(pathname: string): string | null {
  const rest = pathname.slice(PREFIX.length);
  try {
    const id = decodeURIComponent(rest);
    return isOrderId(id) ? id.toLowerCase() : null; // stored lower-case; REST accepts either case
  } catch {
    return null; // malformed percent-encoding
  }
}

/**
 * `WS /ws/v1/order-tracking/{orderId}`: the current status at once, then every change,
 * as `{ type: "status", … }` text frames; 4404 for an unknown order; server pings, idle drop and
 * a JSON pong for a text `ping`.
 */
export function createTrackingSocket(options: TrackingSocketOptions): SocketEndpoint {
  const { metrics } = options;
  // Counted in the loop below rather than through meterPushes: one async generator less per socket.
  const { tracking } = options;
  const log = options.logger.child({ component: 'order-tracking-socket' });
  const endpoint = createSocketEndpoint({
    transport: 'tracking',
    matches: (pathname) => pathname === TRACKING_SOCKET_PATH || pathname.startsWith(PREFIX),
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    maxBufferedBytes: options.maxBufferedBytes,
    originAllowed: options.originAllowed,
    atCapacity: options.atCapacity,
    metrics,
    logger: options.logger,
  });
  const liveness = new Map<WebSocket, Liveness>();

  const drop = (ws: WebSocket, code: number, reason: string, label: 'slow' | 'unknown_order') => {
    metrics.wsDropped.inc({ transport: 'tracking', reason: label });
    ws.close(code, reason);
  };

  /** Sends a frame; false when the socket is gone (the endpoint closes one that does not read what it is sent). */
  const send = (ws: WebSocket, text: string): boolean => {
    if (ws.readyState !== ws.OPEN) return false;
    ws.send(text);
    return ws.readyState === ws.OPEN;
  };

  const push = async (ws: WebSocket, orderId: string, signal: AbortSignal) => {
    try {
      for await (const status of tracking.follow(orderId, null, signal)) {
        countPush(metrics, 'tracking', status);
        if (!send(ws, JSON.stringify(status.message))) return;
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return drop(ws, WS_CLOSE_UNKNOWN_ORDER, 'unknown order', 'unknown_order');
      if (err instanceof SlowFollowerError) return drop(ws, CLOSE_TRY_AGAIN, 'client too slow', 'slow');
      log.error({ err, orderId }, 'tracking stream failed');
      ws.close(CLOSE_INTERNAL_ERROR, 'internal error');
    }
  };

  endpoint.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const orderId = orderIdOf(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!orderId) return drop(ws, WS_CLOSE_UNKNOWN_ORDER, 'unknown order', 'unknown_order');

    const now = Date.now();
    const state: Liveness = { heardAt: now, pingedAt: now };
    liveness.set(ws, state);
    const heard = () => (state.heardAt = Date.now());
    ws.on('pong', heard);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      heard();
      if (!isBinary && data.toString().trim() === 'ping') send(ws, PONG);
    });
    const abort = new AbortController();
    ws.once('close', () => {
      liveness.delete(ws);
      abort.abort();
    });
    void push(ws, orderId, abort.signal);
  });

  // One sweep for all sockets instead of two timers per socket.
  const sweepMs = Math.max(25, Math.floor(Math.min(options.pingIntervalMs, options.idleTimeoutMs) / 4));
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [ws, state] of liveness) {
      if (now - state.heardAt >= options.idleTimeoutMs) {
        liveness.delete(ws);
        metrics.wsDropped.inc({ transport: 'tracking', reason: 'idle' });
        ws.terminate(); // a silent peer would not answer a close handshake either
      } else if (now - state.pingedAt >= options.pingIntervalMs) {
        state.pingedAt = now;
        ws.ping();
      }
    }
  }, sweepMs);
  sweep.unref();

  return {
    ...endpoint,
    async close() {
      clearInterval(sweep);
      await endpoint.close();
    },
  };
}
