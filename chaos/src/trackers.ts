import type { AppRouter } from '@pizza/api';
import { TRACKING_SOCKET_PATH, TRPC_SOCKET_PATH, trackingRank, type TrackingMessage } from '@pizza/contracts';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WebSocket } from 'ws';

export const DELIVERED_RANK = trackingRank('delivered', 'delivered');

export interface Tracker {
  orderId: string;
  transport: 'ws' | 'trpc';
  /** Ranks of the statuses seen, in arrival order, across reconnects. */
  ranks: number[];
  connects: number;
  done: boolean;
  close(): void;
}

const rankOf = (m: Pick<TrackingMessage, 'status' | 'deliveryStatus'>) => trackingRank(m.status, m.deliveryStatus);
/** The web app's reconnect delay: 0.5 s, 1 s, 2 s … capped at 10 s, with jitter. */
const retryDelayMs = (attempt: number) => Math.min(10_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

/** A plain tracking socket that reconnects (to any replica) until its order is delivered. */
export function trackOverSocket(orderId: string, replicaWsUrl: () => string): Tracker {
  let closed = false;
  let socket: WebSocket | null = null;
  let failures = 0;
  const tracker: Tracker = {
    orderId,
    transport: 'ws',
    ranks: [],
    connects: 0,
    done: false,
    close() {
      closed = true;
      socket?.terminate();
    },
  };
  const open = () => {
    if (closed) return;
    tracker.connects++;
    const ws = new WebSocket(`${replicaWsUrl()}${TRACKING_SOCKET_PATH}/${orderId}`, { perMessageDeflate: false, handshakeTimeout: 5_000 });
    socket = ws;
    // a dead link is noticed by the client's own ping, as the browser would by the server's pings
    const ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), 2_000);
    let lastPong = Date.now();
    const watchdog = setInterval(() => Date.now() - lastPong > 6_000 && ws.terminate(), 1_000);
    ws.on('message', (data) => {
      lastPong = Date.now();
      const message = JSON.parse(String(data)) as TrackingMessage | { type: 'pong' };
      if (message.type !== 'status') return;
      failures = 0;
      tracker.ranks.push(rankOf(message));
      if (rankOf(message) === DELIVERED_RANK) {
        tracker.done = true;
        tracker.close();
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearInterval(ping);
      clearInterval(watchdog);
      if (!closed) setTimeout(open, retryDelayMs(failures++));
    });
  };
  open();
  return tracker;
}

/** `orders.track` over the tRPC socket, configured as the web app's client (it resumes from lastEventId). */
export function trackOverTrpc(orderId: string, replicaWsUrl: () => string): Tracker {
  let connects = 0;
  const client = createWSClient({
    url: () => {
      connects++;
      return `${replicaWsUrl()}${TRPC_SOCKET_PATH}`;
    },
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs,
    keepAlive: { enabled: true, intervalMs: 2_000, pongTimeoutMs: 4_000 },
  });
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
  let lastEventId: string | null = null;
  let subscription: { unsubscribe(): void } | null = null;
  let closed = false;
  const tracker: Tracker = {
    orderId,
    transport: 'trpc',
    ranks: [],
    get connects() {
      return connects;
    },
    done: false,
    close() {
      closed = true;
      subscription?.unsubscribe();
      void client.close();
    },
  };
  // as the web app: a subscription that failed or was ended by the server is opened again after 3 s
  const again = () => !closed && setTimeout(subscribe, 3_000);
  const subscribe = () => {
    if (closed) return;
    subscription = api.orders.track.subscribe(
      { orderId, lastEventId },
      {
        onData: (event) => {
          lastEventId = event.id;
          const rank = rankOf(event.data);
          tracker.ranks.push(rank);
          if (rank === DELIVERED_RANK) {
            tracker.done = true;
            tracker.close();
          }
        },
        onError: again,
        onComplete: again,
      },
    );
  };
  subscribe();
  return tracker;
}
