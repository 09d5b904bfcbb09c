import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { WebSocket } from 'ws';
import { TRPC_SOCKET_PATH, type HealthReport } from '@pizza/contracts';
import type { Logger, Metrics } from '@pizza/infra';
import { AppError, toTRPCError } from '../app-error';
import { appRouter } from '../router';
import type { ApiContext } from '../trpc';
import type { OriginCheck } from './origin-policy';
import { meterPushes } from './push-metrics';
import { SlowFollowerError } from './status-listener';
import { createSocketEndpoint, type SocketEndpoint } from './socket-endpoint';
import type { StockFeed } from './menu-stock-feed';
import type { TrackingService } from './tracking-service';

export interface TrpcSocketOptions {
  tracking: TrackingService;
  stock: StockFeed;
  health: () => Promise<HealthReport>;
  metrics: Metrics;
  logger: Logger;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  /** A client whose unsent data exceeds this is too slow and is closed. */
  maxBufferedBytes: number;
  originAllowed: OriginCheck;
  atCapacity: () => boolean;
}

/**
 * Client frames are subscription requests of a few hundred bytes (a reconnect sends them all in
 * one array): anything larger is refused by ws (close 1009).
 */
export const TRPC_MAX_CLIENT_FRAME_BYTES = 8 * 1024;
/** Subscriptions one connection may hold at once; opening one more cuts the connection off (1008). */
export const TRPC_MAX_SUBSCRIPTIONS = 10;
const CLOSE_POLICY_VIOLATION = 1008;

/**
 * Domain errors leave the subscription as their tRPC code (NOT_FOUND), not as a 500; a client too
 * slow to keep up is told so (and counted as dropped), so it resubscribes with its lastEventId.
 */
function withTrpcErrors(tracking: TrackingService, metrics: Metrics): TrackingService {
  return {
    async *follow(orderId, lastEventId, signal) {
      try {
        yield* tracking.follow(orderId, lastEventId, signal);
      } catch (error) {
        if (error instanceof SlowFollowerError) {
          metrics.wsDropped.inc({ transport: 'trpc', reason: 'slow' });
          throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Too slow to keep up: resubscribe with lastEventId', cause: error });
        }
        throw error instanceof AppError ? toTRPCError(error) : error;
      }
    },
  };
}

/**
 * The subscriptions of one connection, whatever they follow (orders, menu stock): at most
 * TRPC_MAX_SUBSCRIPTIONS at once; one more closes the connection.
 */
function subscriptionSlots(ws: WebSocket, metrics: Metrics) {
  let active = 0;
  return async function* held<T>(follow: () => AsyncIterable<T>): AsyncGenerator<T> {
    if (active >= TRPC_MAX_SUBSCRIPTIONS) {
      metrics.wsDropped.inc({ transport: 'trpc', reason: 'subscriptions' });
      ws.close(CLOSE_POLICY_VIOLATION, `more than ${TRPC_MAX_SUBSCRIPTIONS} subscriptions`);
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: `At most ${TRPC_MAX_SUBSCRIPTIONS} subscriptions per connection` });
    }
    active++;
    try {
      yield* follow();
    } finally {
      active--;
    }
  };
}

/**
 * tRPC over WebSocket at `/ws/v1/trpc` (the `orders.track` subscription). Same protection as the
 * plain socket: frame size limit, slow-reader guard, Origin check, and a cap on subscriptions per
 * connection. On shutdown clients are told to reconnect (to another replica) before their sockets close.
 */
export function createTrpcSocket(options: TrpcSocketOptions): SocketEndpoint {
  const { metrics, logger, health } = options;
  const tracking = withTrpcErrors(meterPushes(options.tracking, metrics, 'trpc'), metrics);
  const endpoint = createSocketEndpoint({
    transport: 'trpc',
    matches: (pathname) => pathname === TRPC_SOCKET_PATH || pathname === `${TRPC_SOCKET_PATH}/`,
    maxPayload: TRPC_MAX_CLIENT_FRAME_BYTES,
    maxBufferedBytes: options.maxBufferedBytes,
    originAllowed: options.originAllowed,
    atCapacity: options.atCapacity,
    metrics,
    logger,
  });
  const handler = applyWSSHandler({
    wss: endpoint.wss,
    router: appRouter,
    // called once per connection: the subscription count is the connection's own
    createContext: ({ res: ws }): ApiContext => {
      const reqId = randomUUID();
      const held = subscriptionSlots(ws, metrics);
      return {
        reqId,
        tracking: { follow: (orderId, lastEventId, signal) => held(() => tracking.follow(orderId, lastEventId, signal)) },
        stock: { follow: (signal) => held(() => options.stock.follow(signal)) },
        health,
      };
    },
    // tRPC pings after `pingMs` of silence and drops the client if nothing comes back in `pongWaitMs`
    keepAlive: {
      enabled: true,
      pingMs: options.pingIntervalMs,
      pongWaitMs: Math.max(options.idleTimeoutMs - options.pingIntervalMs, 100),
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path }, 'tRPC over WebSocket failed');
    },
  });

  return {
    ...endpoint,
    async close() {
      handler.broadcastReconnectNotification();
      await endpoint.close();
    },
  };
}
