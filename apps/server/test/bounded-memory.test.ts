import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { STREAMS, type StreamName } from '@pizza/contracts';
import { READ_ENTRIES_BATCH, startService, type MemoryBus, type RunningService, type ServiceModule } from '@pizza/infra';
import { embeddedModules } from '../src/embedded-modules';
import { eventually, tempDatabaseUrl } from './app-process';

// Memory that grows with traffic, counted without timing: thousands of orders walk the whole
// lifecycle through the in-process bus of the embedded process, and every structure holding
// entries per event or per order is read while they flow and once they are all delivered.
const ORDERS = 1200;
const IN_FLIGHT = 16;
const STREAM_MAXLEN = 2000;
/** The hub applies at most this many orders' events at once (tracking-hub.ts). */
const HUB_ORDERS_IN_FLIGHT = 256;
/** The per-order maps of the notifications module, lowered below ORDERS so their eviction has to work. */
const BOUNDS = { statusCacheOrders: 500, recentOrders: 300 };
const ZERO_DELAYS = { SIM_CONFIRM_DELAY_MS: '0', SIM_PREPARE_DELAY_MS: '0', SIM_PICKUP_DELAY_MS: '0', SIM_TRANSIT_DELAY_MS: '0' };
const customer = { name: 'Soak', phone: '+44 20 7946 0000', address: '1 Loopback Lane' };
const ITEMS = ['margherita', 'pepperoni', 'cola', 'tiramisu'];
/** Streams consumed by a group in this process: their logs keep only what a group has not read yet. */
const CONSUMED: StreamName[] = [STREAMS.orders, STREAMS.simulateOrder, STREAMS.orderStatus, STREAMS.deliveries, STREAMS.simulateDelivery, STREAMS.deliveryStatus];

let running: RunningService | undefined;
afterAll(async () => {
  await running?.stop();
});

/** Application series only: the runtime's own (gc kinds, handles) come and go by themselves. */
async function applicationSeries(service: RunningService): Promise<number> {
  const metrics = await service.runtime.metrics.registry.getMetricsAsJSON();
  return metrics.filter((m) => !m.name.startsWith('nodejs_') && !m.name.startsWith('process_')).reduce((n, m) => n + m.values.length, 0);
}

async function deliveredCount(service: RunningService): Promise<number> {
  const { values } = await service.runtime.metrics.orderTransitions.get();
  return values.find((v) => v.labels.status === 'delivered')?.value ?? 0;
}

async function placeOrder(url: string, n: number): Promise<void> {
  const res = await fetch(`${url}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ menuItemId: ITEMS[n % ITEMS.length], quantity: 1 }], simulate: true }),
  });
  expect(res.status).toBe(201);
  await res.arrayBuffer();
}

it(`after ${ORDERS} orders through the in-process bus, each stream, group, subscriber, the status cache and the tracking hub hold no more than their bounds`, async () => {
  const databaseUrl = tempDatabaseUrl();
  let modules: ServiceModule[] = [];
  running = await startService({
    service: 'pizza-express',
    defaultPort: 0,
    env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', STREAM_MAXLEN: String(STREAM_MAXLEN), ...ZERO_DELAYS },
    modules: (runtime) => (modules = embeddedModules(runtime, BOUNDS)),
  });
  const service = running;
  const url = `http://127.0.0.1:${service.port}`;
  const { config } = service.runtime;
  const bus = service.runtime.bus as MemoryBus;
  expect(typeof bus.retained).toBe('function');
  const db = new Database(databaseUrl.slice('sqlite:'.length));
  db.prepare('UPDATE menu_items SET stock = ?').run(ORDERS * 10); // nothing sells out
  db.close();

  // every label set appears with the first complete journey; more orders must add none
  await placeOrder(url, 0);
  await eventually(() => deliveredCount(service), (n) => n === 1, 30_000);
  // the pending and lag gauges of every group appear at their first refresh (every 5 s)
  await eventually(async () => (await service.runtime.metrics.streamLag.get()).values.length, (n) => n === CONSUMED.length, 30_000);
  const seriesAfterOne = await applicationSeries(service);

  const peak = { log: 0, pending: 0, queued: 0, hubInFlight: 0, cachedOrders: 0, recentStates: 0 };
  const read = () => {
    for (const held of Object.values(bus.retained())) {
      peak.log = Math.max(peak.log, held.log);
      peak.pending = Math.max(peak.pending, held.pending);
      peak.queued = Math.max(peak.queued, held.queued);
    }
    const moduleHeld = Object.assign({}, ...modules.map((m) => m.retained?.() ?? {})) as Record<string, number>;
    peak.hubInFlight = Math.max(peak.hubInFlight, moduleHeld['tracking hub: orders in flight'] ?? 0);
    peak.cachedOrders = Math.max(peak.cachedOrders, moduleHeld['status cache: orders'] ?? 0);
    peak.recentStates = Math.max(peak.recentStates, moduleHeld['tracking hub: recent states'] ?? 0);
  };
  const sampler = setInterval(read, 20);
  try {
    let next = 1;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < ORDERS) await placeOrder(url, next++);
      }),
    );
    await eventually(() => deliveredCount(service), (n) => n === ORDERS, 120_000);
  } finally {
    clearInterval(sampler);
  }
  read();

  // while the orders flowed
  expect(peak.log).toBeLessThanOrEqual(STREAM_MAXLEN + STREAM_MAXLEN / 10);
  expect(peak.pending).toBeLessThanOrEqual(Math.max(config.STREAM_CONCURRENCY, config.SIM_CONCURRENCY));
  expect(peak.queued).toBeLessThanOrEqual(STREAM_MAXLEN);
  expect(peak.hubInFlight).toBeLessThanOrEqual(HUB_ORDERS_IN_FLIGHT);
  expect(peak.cachedOrders).toBeLessThanOrEqual(BOUNDS.statusCacheOrders);
  expect(peak.recentStates).toBeLessThanOrEqual(BOUNDS.recentOrders);

  // once everything is delivered: what every group has read is gone, nothing waits anywhere
  await eventually(
    async () => bus.retained(),
    (held) => CONSUMED.every((stream) => (held[stream]?.pending ?? 0) === 0 && (held[stream]?.queued ?? 0) === 0),
    30_000,
  );
  const held = bus.retained();
  for (const stream of CONSUMED) {
    expect(held[stream], stream).toBeDefined();
    expect(held[stream]!.log, stream).toBeLessThan(READ_ENTRIES_BATCH);
  }
  const moduleHeld = Object.assign({}, ...modules.map((m) => m.retained?.() ?? {})) as Record<string, number>;
  // more orders went through than the cache may keep: it is full, not over
  expect(moduleHeld).toMatchObject({ 'status cache: orders': BOUNDS.statusCacheOrders, 'tracking hub: followed orders': 0, 'sockets open': 0 });
  // and the hub's recent states stay within theirs
  expect(moduleHeld['tracking hub: recent states']).toBeLessThanOrEqual(BOUNDS.recentOrders);
  await eventually(async () => modules.map((m) => m.retained?.()['tracking hub: orders in flight'] ?? 0), (n) => n.every((v) => v === 0), 30_000);
  expect(await applicationSeries(service)).toBe(seriesAfterOne);
}, 240_000); // ~30 s here; generous for a loaded machine (the waits inside have their own deadlines)
