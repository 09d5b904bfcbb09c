import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { MAX_BODY_BYTES, TRPC_SOCKET_PATH, type HealthReport } from '@pizza/contracts';
import type { Logger, Metrics } from '@pizza/infra';
import { AppError, toTRPCError } from '../app-error';
import { appRouter } from '../router';
import type { ApiContext } from '../trpc';
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
  atCapacity: () => boolean;
}

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
 * tRPC over WebSocket at `/ws/v1/trpc` (the `orders.track` subscription, SPEC §7). On shutdown
 * clients are told to reconnect (to another replica) before their sockets close.
 */
export function createTrpcSocket(options: TrpcSocketOptions): SocketEndpoint {
  const { metrics, logger, health } = options;
  const tracking = withTrpcErrors(meterPushes(options.tracking, metrics, 'trpc'), metrics);
  const endpoint = createSocketEndpoint({
    transport: 'trpc',
    matches: (pathname) => pathname === TRPC_SOCKET_PATH || pathname === `${TRPC_SOCKET_PATH}/`,
    maxPayload: MAX_BODY_BYTES,
    atCapacity: options.atCapacity,
    metrics,
    logger,
  });
  const handler = applyWSSHandler({
    wss: endpoint.wss,
    router: appRouter,
    createContext: (): ApiContext => {
      const reqId = randomUUID();
      return { reqId, tracking, stock: options.stock, health };
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
