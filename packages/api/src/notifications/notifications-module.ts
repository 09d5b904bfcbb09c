import { checkHealth, type ServiceModule, type ServiceRuntime } from '@pizza/infra';
import { createMemoryStatusCache } from './memory-status-cache';
import { createTrackingSocket } from './order-tracking-socket';
import { createOriginCheck } from './origin-policy';
import { createRedisStatusCache } from './redis-status-cache';
import { createTrackingHub } from './tracking-hub';
import { createTrpcSocket } from './trpc-socket';

/**
 * The notifications service: `/ws/v1/order-tracking/{orderId}` and `/ws/v1/trpc`, fed by the
 * lifecycle streams through the status cache (Redis when REDIS_URL is set, else in-process).
 */
export function notificationsModule(runtime: ServiceRuntime): ServiceModule {
  const { config, logger, metrics, storage, bus } = runtime;
  const cache = config.REDIS_URL ? createRedisStatusCache({ url: config.REDIS_URL, logger }) : createMemoryStatusCache();
  if (config.REDIS_URL) runtime.probes.statusCache = () => cache.ping();
  const hub = createTrackingHub({ bus, cache, storage, logger });

  const timing = { pingIntervalMs: config.WS_PING_INTERVAL_MS, idleTimeoutMs: config.WS_IDLE_TIMEOUT_MS };
  const limits = { maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES, originAllowed: createOriginCheck(config.ALLOWED_ORIGINS) };
  // one cap for the process, whichever transport the sockets use
  const atCapacity = () => trackingSocket.connections() + trpcSocket.connections() >= config.WS_MAX_CONNECTIONS;
  const trackingSocket = createTrackingSocket({ tracking: hub, metrics, logger, ...timing, ...limits, atCapacity });
  const trpcSocket = createTrpcSocket({ tracking: hub, metrics, logger, ...timing, ...limits, atCapacity, health: () => checkHealth(runtime.service, runtime.probes, logger) });

  return {
    upgrades: [trackingSocket.upgrade, trpcSocket.upgrade],
    async start() {
      await hub.start();
    },
    async close() {
      await Promise.all([trpcSocket.close(), trackingSocket.close()]);
      await hub.close();
      await cache.close();
    },
  };
}
