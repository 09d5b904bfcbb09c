import { SERVICES } from '@pizza/contracts';
import { checkHealth, createOutboxRelay, type Consumer, type ServiceModule, type ServiceRuntime } from '@pizza/infra';
import { consumeOrderLifecycle } from './lifecycle-consumer';
import { createOrderHttpHandler, orderRouteOf } from './order-http';
import { createOrderService } from './order-service';

/** The order service: REST + tRPC over HTTP, its outbox relay and its lifecycle consumer. */
export function orderServiceModule(runtime: ServiceRuntime): ServiceModule {
  const { storage, bus, logger, metrics } = runtime;
  const relay = createOutboxRelay({ storage, bus, source: SERVICES.order, logger, metrics });
  const orders = createOrderService({ storage, metrics, logger, afterCommit: () => relay.nudge() });
  const health = () => checkHealth(runtime.service, runtime.probes, logger);
  let consumer: Consumer | null = null;

  return {
    handlers: [createOrderHttpHandler({ orders, health })],
    routeOf: orderRouteOf,
    async start() {
      relay.start();
      consumer = consumeOrderLifecycle(runtime, () => relay.nudge());
      await consumer.ready;
    },
    async close() {
      await consumer?.close();
      await relay.close();
    },
  };
}
