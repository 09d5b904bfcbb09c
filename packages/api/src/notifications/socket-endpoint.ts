import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger, Metrics, UpgradeHandler } from '@pizza/infra';
import type { OriginCheck } from './origin-policy';

export type SocketTransport = 'tracking' | 'trpc';

export interface SocketEndpointOptions {
  transport: SocketTransport;
  /** Which upgrade requests this endpoint takes, by URL path. */
  matches: (pathname: string) => boolean;
  /** Largest frame a client may send; a larger one closes its socket (1009). */
  maxPayload: number;
  /** A client whose unsent data exceeds this is too slow: its socket is closed (1013). */
  maxBufferedBytes: number;
  /** Pages of other origins are refused (403) before the upgrade. */
  originAllowed: OriginCheck;
  /**
   * Wrap each socket's send() so that every frame, whoever writes it, is followed by the buffer
   * check (default). An endpoint that sends only through its own code passes false and calls
   * checkBuffered() after each send: no wrapper per socket.
   */
  guardSends?: boolean;
  /** True when the process already holds as many sockets as it may (WS_MAX_CONNECTIONS). */
  atCapacity: () => boolean;
  metrics: Metrics;
  logger: Logger;
}

export interface SocketEndpoint {
  /** Emits `connection` (socket, request) for every accepted socket. */
  wss: WebSocketServer;
  upgrade: UpgradeHandler;
  connections(): number;
  /** Cuts off a client whose unsent data exceeds the limit (call after a send). */
  checkBuffered(ws: WebSocket): void;
  /** Closes every socket (1001), terminating those that do not finish the handshake in time. */
  close(): Promise<void>;
}

/** Close code and reason for a refused socket (RFC 6455 1013: try again later). */
export const CLOSE_TRY_AGAIN = 1013;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_GRACE_MS = 2000;

const FORBIDDEN_BODY = JSON.stringify({ code: 'FORBIDDEN', message: 'Pages of this origin may not open live streams (ALLOWED_ORIGINS)' });
const FORBIDDEN = `HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(FORBIDDEN_BODY)}\r\n\r\n${FORBIDDEN_BODY}`;

/**
 * What both WebSocket transports share: path routing of upgrades, the Origin check, the
 * per-process connection cap, the frame size limit, the guard against clients that do not read
 * (bufferedAmount), the open-connections gauge and a bounded shutdown.
 */
export function createSocketEndpoint(options: SocketEndpointOptions): SocketEndpoint {
  const { transport, metrics } = options;
  const log = options.logger.child({ component: 'websocket', transport });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });

  /** A look at what the client has not read yet: past the limit, it is cut off. */
  const checkBuffered = (ws: WebSocket) => {
    if (ws.readyState === ws.OPEN && ws.bufferedAmount > options.maxBufferedBytes) {
      metrics.wsDropped.inc({ transport, reason: 'slow' });
      ws.close(CLOSE_TRY_AGAIN, 'client too slow');
    }
  };

  /** Every frame, whoever sends it (tRPC's adapter writes to the socket itself), is followed by checkBuffered. */
  const guardBuffer = (ws: WebSocket) => {
    const send = ws.send.bind(ws) as (...args: unknown[]) => void;
    ws.send = ((...args: unknown[]) => {
      send(...args);
      checkBuffered(ws);
    }) as WebSocket['send'];
  };

  // One listener function for every socket of the endpoint, rather than closures per socket.
  // Without an 'error' listener an error (e.g. an oversized frame) would crash the process.
  const onError = (err: Error) => log.debug({ err }, 'socket error');
  const onClose = () => metrics.wsConnections.dec({ transport });

  const accept = (ws: WebSocket, req: IncomingMessage, full: boolean) => {
    ws.on('error', onError);
    if (full) {
      // accepted only to give the client a close code it can act on
      metrics.wsDropped.inc({ transport, reason: 'capacity' });
      ws.close(CLOSE_TRY_AGAIN, 'try again later');
      return;
    }
    metrics.wsConnections.inc({ transport });
    ws.on('close', onClose); // emitted once per socket
    if (options.guardSends !== false) guardBuffer(ws);
    wss.emit('connection', ws, req);
  };

  return {
    wss,
    upgrade(req, socket, head) {
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (!options.matches(pathname)) return false;
      if (!options.originAllowed(req)) {
        metrics.wsDropped.inc({ transport, reason: 'origin' });
        socket.end(FORBIDDEN);
        return true;
      }
      const full = options.atCapacity();
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, full));
      return true;
    },
    connections: () => wss.clients.size,
    checkBuffered,
    async close() {
      const open = [...wss.clients];
      await Promise.all(
        open.map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
              ws.once('close', () => {
                clearTimeout(timer);
                resolve();
              });
              ws.close(CLOSE_GOING_AWAY, 'server shutting down');
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
