import { randomUUID } from 'node:crypto';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { MAX_BODY_BYTES, TRPC_SOCKET_PATH, type HealthReport } from '@pizza/contracts';
import type { Logger, Metrics } from '@pizza/infra';
import { AppError, toTRPCError } from '../app-error';
import { appRouter } from '../router';
import type { ApiContext } from '../trpc';
import { meterPushes } from './push-metrics';
import { createSocketEndpoint, type SocketEndpoint } from './socket-endpoint';
import type { TrackingService } from './tracking-service';

export interface TrpcSocketOptions {
  tracking: TrackingService;
  health: () => Promise<HealthReport>;
  metrics: Metrics;
  logger: Logger;
  pingIntervalMs: number;
  idleTimeoutMs: number;
  atCapacity: () => boolean;
}

/** Domain errors leave the subscription as their tRPC code (NOT_FOUND), not as a 500. */
function withTrpcErrors(tracking: TrackingService): TrackingService {
  return {
    async *follow(orderId, lastEventId, signal) {
      try {
        yield* tracking.follow(orderId, lastEventId, signal);
      } catch (error) {
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
  const tracking = withTrpcErrors(meterPushes(options.tracking, metrics, 'trpc'));
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
      return { reqId, tracking, health };
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
