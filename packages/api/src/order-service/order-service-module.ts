import { SERVICES } from '@pizza/contracts';
import { checkHealth, createOutboxRelay, type Consumer, type ServiceModule, type ServiceRuntime } from '@pizza/infra';
import { createAsyncApiHandler } from '../rest/asyncapi-handler';
import { consumeOrderLifecycle } from './lifecycle-consumer';
import { createOrderHttpHandler, orderRouteOf } from './order-http';
import { createOrderService } from './order-service';
import { createOperations } from '../operations/operations';
import { recordHttpHops } from './journey-http';

/** The order service: REST + tRPC over HTTP, its outbox relay and its lifecycle consumer. */
export function orderServiceModule(runtime: ServiceRuntime): ServiceModule {
  const { storage, bus, logger, metrics } = runtime;
  const relay = createOutboxRelay({ storage, bus, source: SERVICES.order, logger, metrics });
  const orders = createOrderService({ storage, metrics, logger, afterCommit: () => relay.nudge() });
  const health = () => checkHealth(runtime.service, runtime.probes, logger);
  const operations = createOperations({
    bus,
    inspection: runtime.busInspection,
    setStock: orders.setStock,
    listMenu: orders.listMenu,
    placeOrder: (command) => orders.placeOrder(command),
    faults: runtime.faults,
    timings: runtime.pipelineTimings,
    journeys: runtime.journeys,
    orderExists: async (id) => (await storage.getOrder(id)) !== null,
    logger,
    metrics,
  });
  let consumer: Consumer | null = null;
  const asyncApi = createAsyncApiHandler();

  return {
    handlers: [asyncApi.handler, createOrderHttpHandler({ orders: recordHttpHops(orders, runtime.journeys, runtime.consumerName), health, operations, adminToken: runtime.config.ADMIN_TOKEN })],
    routeOf: (method, path) => asyncApi.routeOf(method, path) ?? orderRouteOf(method, path),
    async start() {
      relay.start();
      consumer = consumeOrderLifecycle(runtime, () => relay.nudge());
      await consumer.ready;
    },
    retained() {
      const journeys = runtime.journeys.retained();
      return { 'journeys: orders': journeys.orders, 'journeys: hops': journeys.hops, 'journeys: hops queued for Redis': journeys.queued };
    },
    async close() {
      await consumer?.close();
      await relay.close();
    },
  };
}
