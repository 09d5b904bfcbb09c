import { checkHealth, type ServiceModule, type ServiceRuntime } from '@pizza/infra';
import { createConnectionPolicy } from './connection-policy';
import { createMemoryStatusCache } from './memory-status-cache';
import { createMenuStockFeed } from './menu-stock-feed';
import { createOrderEventsStream } from './order-events-stream';
import { createTrackingSocket } from './order-tracking-socket';
import { createOriginCheck } from './origin-policy';
import { createRedisStatusCache } from './redis-status-cache';
import { createTrackingHub } from './tracking-hub';
import { createTrpcSocket } from './trpc-socket';

/** Entry bounds of the in-memory structures that grow with traffic (defaults: 10,000 orders each). */
export interface NotificationsBounds {
  /** Orders the in-process status cache keeps (ignored with REDIS_URL: Redis keeps them). */
  statusCacheOrders?: number;
  /** Orders whose latest state the tracking hub keeps at hand. */
  recentOrders?: number;
}

/**
 * The notifications service: `/ws/v1/order-tracking/{orderId}`, `/ws/v1/trpc` and the SSE
 * `/api/v1/orders/{id}/events`, fed by the lifecycle streams through the status cache (Redis
 * when REDIS_URL is set, else in-process).
 */
export function notificationsModule(runtime: ServiceRuntime, bounds: NotificationsBounds = {}): ServiceModule {
  const { config, logger, metrics, storage, bus } = runtime;
  const cache = config.REDIS_URL ? createRedisStatusCache({ url: config.REDIS_URL, logger }) : createMemoryStatusCache({ maxOrders: bounds.statusCacheOrders });
  if (config.REDIS_URL) runtime.probes.statusCache = () => cache.ping();
  const hub = createTrackingHub({ bus, cache, storage, logger, push: runtime.push, recentOrders: bounds.recentOrders });
  const stock = createMenuStockFeed({ bus, storage, logger });

  const timing = { pingIntervalMs: config.WS_PING_INTERVAL_MS, idleTimeoutMs: config.WS_IDLE_TIMEOUT_MS };
  const originAllowed = createOriginCheck(config.ALLOWED_ORIGINS);
  const limits = { maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES, originAllowed };
  // one cap for the process, whichever transport the clients use
  metrics.wsConnectionsLimit.set(config.WS_MAX_CONNECTIONS);
  const atCapacity = () => trackingSocket.connections() + trpcSocket.connections() + orderEvents.connections() >= config.WS_MAX_CONNECTIONS;
  const trackingSocket = createTrackingSocket({ tracking: hub, metrics, logger, ...timing, ...limits, atCapacity });
  // who may open an event stream is decided here, once: the page's origin, then capacity
  const policy = createConnectionPolicy({ atCapacity, originAllowed });
  const orderEvents = createOrderEventsStream({ tracking: hub, policy, metrics, logger, keepAliveMs: config.WS_PING_INTERVAL_MS, maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES });
  const trpcSocket = createTrpcSocket({ tracking: hub, stock, metrics, logger, ...timing, ...limits, atCapacity, health: () => checkHealth(runtime.service, runtime.probes, logger) });

  return {
    handlers: [orderEvents.handler],
    routeOf: orderEvents.routeOf,
    upgrades: [trackingSocket.upgrade, trpcSocket.upgrade],
    async start() {
      await Promise.all([hub.start(), stock.start()]);
    },
    retained() {
      const hubHeld = hub.retained();
      return {
        'status cache: orders': cache.size?.() ?? 0,
        'tracking hub: followed orders': hubHeld.followedOrders,
        'tracking hub: orders in flight': hubHeld.ordersInFlight,
        'tracking hub: recent states': hubHeld.recentStates,
        'sockets open': trackingSocket.connections() + trpcSocket.connections(),
      };
    },
    async close() {
      orderEvents.close();
      await Promise.all([trpcSocket.close(), trackingSocket.close()]);
      await Promise.all([hub.close(), stock.close()]);
      await cache.close();
    },
  };
}
