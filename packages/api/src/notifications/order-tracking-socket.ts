import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { TRACKING_SOCKET_PATH, WS_CLOSE_UNKNOWN_ORDER, isOrderId } from '@pizza/contracts';
import type { Logger, Metrics } from '@pizza/infra';
import { AppError } from '../app-error';
import type { OriginCheck } from './origin-policy';
import { countPush } from './push-metrics';
import { createSocketEndpoint, type SocketEndpoint } from './socket-endpoint';
import type { TrackingHub } from './tracking-hub';
import type { TrackedStatus, TrackingSink } from './tracking-service';

export interface TrackingSocketOptions {
  tracking: Pick<TrackingHub, 'watch'>;
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

/** What the endpoint keeps per socket: liveness and how to stop following its order. */
interface Follower {
  heardAt: number;
  pingedAt: number;
  stop: () => void;
}

const noop = () => {};

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
  const { metrics, tracking } = options;
  const log = options.logger.child({ component: 'order-tracking-socket' });
  const endpoint = createSocketEndpoint({
    transport: 'tracking',
    matches: (pathname) => pathname === TRACKING_SOCKET_PATH || pathname.startsWith(PREFIX),
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    maxBufferedBytes: options.maxBufferedBytes,
    // every frame goes through send() below, which checks the buffer itself
    guardSends: false,
    originAllowed: options.originAllowed,
    atCapacity: options.atCapacity,
    metrics,
    logger: options.logger,
  });
  // Per socket only a Follower and a Sink are kept (plus ws's own objects): the listeners below are
  // shared by every socket (`this` is the socket), and statuses arrive by callback (TrackingHub.watch),
  // so no promise or generator waits per socket. 50,000 sockets per process is the aim.
  const followers = new Map<WebSocket, Follower>();

  const drop = (ws: WebSocket, code: number, reason: string, label: 'unknown_order') => {
    metrics.wsDropped.inc({ transport: 'tracking', reason: label });
    ws.close(code, reason);
  };

  /** Sends a frame, then cuts off a client that does not read what it is sent. */
  const send = (ws: WebSocket, text: string) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(text);
    endpoint.checkBuffered(ws);
  };

  // One step is handed to every socket following the order: serialized once, not once per socket.
  const frames = new WeakMap<TrackedStatus['message'], string>();
  const frameOf = (message: TrackedStatus['message']) => {
    let frame = frames.get(message);
    if (frame === undefined) frames.set(message, (frame = JSON.stringify(message)));
    return frame;
  };

  class Sink implements TrackingSink {
    constructor(
      private readonly ws: WebSocket,
      private readonly orderId: string,
    ) {}

    status(status: TrackedStatus): void {
      countPush(metrics, 'tracking', status);
      send(this.ws, frameOf(status.message));
    }

    fail(err: unknown): void {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return drop(this.ws, WS_CLOSE_UNKNOWN_ORDER, 'unknown order', 'unknown_order');
      log.error({ err, orderId: this.orderId }, 'tracking stream failed');
      this.ws.close(CLOSE_INTERNAL_ERROR, 'internal error');
    }
  }

  function heard(this: WebSocket) {
    const follower = followers.get(this);
    if (follower) follower.heardAt = Date.now();
  }
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
    heard.call(this);
    if (!isBinary && data.toString().trim() === 'ping') send(this, PONG);
  }
  function onClose(this: WebSocket) {
    const follower = followers.get(this);
    followers.delete(this);
    follower?.stop();
  }

  endpoint.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const orderId = orderIdOf(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!orderId) return drop(ws, WS_CLOSE_UNKNOWN_ORDER, 'unknown order', 'unknown_order');

    const now = Date.now();
    const follower: Follower = { heardAt: now, pingedAt: now, stop: noop };
    followers.set(ws, follower);
    ws.on('pong', heard);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    // the socket's 'close' comes in a later turn, so stop is set before onClose can need it
    follower.stop = tracking.watch(orderId, new Sink(ws, orderId));
  });

  // One sweep for all sockets instead of two timers per socket.
  const sweepMs = Math.max(25, Math.floor(Math.min(options.pingIntervalMs, options.idleTimeoutMs) / 4));
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [ws, state] of followers) {
      if (now - state.heardAt >= options.idleTimeoutMs) {
        followers.delete(ws);
        state.stop();
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
