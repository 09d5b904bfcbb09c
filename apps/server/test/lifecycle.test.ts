import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { ORDER_STATUSES, Order, SERVICES, STREAMS, ServicesReport, makeEvent } from '@pizza/contracts';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { eventually, startProcess, tempDatabaseUrl, type AppProcess } from './app-process';

const customer = { name: 'Lin', phone: '+1 555 0199', address: '4 Oven Street' };
const FAST = { SIM_CONFIRM_DELAY_MS: '20-40', SIM_PREPARE_DELAY_MS: '20-40', SIM_PICKUP_DELAY_MS: '20-40', SIM_TRANSIT_DELAY_MS: '20-40' };

async function placeOrder(baseUrl: string, simulate = true, items = [{ menuItemId: 'margherita', quantity: 1 }]): Promise<Order> {
  const res = await fetch(`${baseUrl}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items, simulate }),
  });
  expect(res.status).toBe(201);
  return Order.parse(await res.json());
}
const readOrder = async (baseUrl: string, id: string) => Order.parse(await (await fetch(`${baseUrl}/api/v1/orders/${id}`)).json());
const untilDelivered = (baseUrl: string, id: string, timeoutMs = 30_000) =>
  eventually(() => readOrder(baseUrl, id), (o) => o.status === 'delivered', timeoutMs);

function expectFullJourney(order: Order) {
  expect(order.status).toBe('delivered');
  expect(order.history.map((h) => h.status)).toEqual([...ORDER_STATUSES]);
  const times = order.history.map((h) => Date.parse(h.at));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  expect(order.delivery).toMatchObject({ status: 'delivered' });
  expect(order.delivery!.courier.name).toBeTruthy();
}

/** Entries of a stream the group has not yet read or not yet acked (Redis 7 XINFO GROUPS lag + pending). */
async function groupBacklog(client: Redis, stream: string, group: string): Promise<number> {
  const groups = (await client.xinfo('GROUPS', stream)) as unknown[][];
  for (const fields of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
    if (info.get('name') === group) return Number(info.get('lag') ?? 1) + Number(info.get('pending') ?? 0);
  }
  return Number.POSITIVE_INFINITY;
}

function deliveriesPerOrder(databaseUrl: string): Map<string, number> {
  const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
  try {
    const rows = db.prepare('SELECT order_id AS orderId, COUNT(*) AS n FROM deliveries GROUP BY order_id').all() as { orderId: string; n: number }[];
    return new Map(rows.map((r) => [r.orderId, r.n]));
  } finally {
    db.close();
  }
}

describe('embedded topology (in-process bus)', () => {
  let app: AppProcess;
  const databaseUrl = tempDatabaseUrl();
  beforeAll(async () => {
    app = await startProcess('apps/server/src/main.ts', { ...FAST, DATABASE_URL: databaseUrl });
  });
  afterAll(async () => {
    await app?.kill();
  });

  it('walks a simulated order through every status to delivered', async () => {
    const order = await placeOrder(app.url);
    expectFullJourney(await untilDelivered(app.url, order.id));
  });

  it('leaves an order placed with simulate: false at created, with no delivery', async () => {
    const still = await placeOrder(app.url, false);
    const moving = await placeOrder(app.url, true);
    await untilDelivered(app.url, moving.id); // the simulated one had all the time it needed
    const after = await readOrder(app.url, still.id);
    expect(after.status).toBe('created');
    expect(after.history).toHaveLength(1);
    expect(after.delivery).toBeNull();
    expect(deliveriesPerOrder(databaseUrl).has(still.id)).toBe(false);
  });

  it('30 orders at once all reach delivered, each with exactly one delivery', async () => {
    const orders = await Promise.all(Array.from({ length: 30 }, () => placeOrder(app.url, true, [{ menuItemId: 'cola', quantity: 1 }])));
    const finished = await Promise.all(orders.map((o) => untilDelivered(app.url, o.id, 60_000)));
    finished.forEach(expectFullJourney);
    const counts = deliveriesPerOrder(databaseUrl);
    for (const o of orders) expect(counts.get(o.id), o.id).toBe(1);
    expect(new Set(finished.map((o) => o.delivery!.id)).size).toBe(30);
  });

  it('exposes lifecycle metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/order_status_transitions_total\{[^}]*status="delivered"[^}]*\} [1-9]/);
    expect(text).toMatch(/deliveries_created_total\{[^}]*\} [1-9]/);
    expect(text).toMatch(/stream_messages_processed_total\{[^}]*stream="simulate-order-stream"[^}]*group="simulator-group"[^}]*status="success"/);
  });
});

describe('embedded topology, killed mid-delay', () => {
  it('the restarted process still delivers the order, each status exactly once', async () => {
    const databaseUrl = tempDatabaseUrl();
    const env = { ...FAST, SIM_PREPARE_DELAY_MS: '1500', DATABASE_URL: databaseUrl };
    const first = await startProcess('apps/server/src/main.ts', env);
    const order = await placeOrder(first.url);
    await eventually(() => readOrder(first.url, order.id), (o) => o.status === 'confirmed');
    await first.kill(); // SIGKILL while the kitchen "prepares"
    const second = await startProcess('apps/server/src/main.ts', env);
    try {
      expectFullJourney(await untilDelivered(second.url, order.id));
    } finally {
      await second.kill();
    }
  });
});

describe('distributed topology (a process per service, Redis Streams)', () => {
  let redis: RedisServer;
  let client: Redis;
  const processes: AppProcess[] = [];
  let orderService: AppProcess;
  const databaseUrl = tempDatabaseUrl();
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
    env = { ...FAST, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, STREAM_CLAIM_IDLE_MS: '500' };
    orderService = await startProcess('packages/api/src/order-service/main.ts', env);
    processes.push(orderService);
    processes.push(await startProcess('packages/workers/src/delivery/main.ts', env));
  });
  afterEach(async () => {
    // the simulator is started per test (one test kills it)
    for (const p of processes.splice(2)) await p.kill();
  });
  afterAll(async () => {
    for (const p of processes) await p.kill();
    client?.disconnect();
    await redis?.stop();
  });

  it('walks a simulated order to delivered over Redis Streams', async () => {
    processes.push(await startProcess('packages/workers/src/simulator/main.ts', env));
    const order = await placeOrder(orderService.url);
    expectFullJourney(await untilDelivered(orderService.url, order.id));
    expect(deliveriesPerOrder(databaseUrl).get(order.id)).toBe(1);
  });

  it('a simulator killed mid-delay and restarted still delivers, each status exactly once', async () => {
    // the kill must land within the confirm delay after the simulator took the request: 5 s, also on a loaded machine
    const slow = { ...env, SIM_CONFIRM_DELAY_MS: '5000' };
    const first = await startProcess('packages/workers/src/simulator/main.ts', slow);
    processes.push(first);
    const order = await placeOrder(orderService.url);
    // wait until the simulator holds the request (pending in simulator-group), then kill it
    await eventually(
      async () => (await client.xpending(STREAMS.simulateOrder, 'simulator-group')) as [number, ...unknown[]],
      (summary) => summary[0] > 0,
    );
    await first.kill();
    expect((await readOrder(orderService.url, order.id)).status).toBe('created');
    processes.push(await startProcess('packages/workers/src/simulator/main.ts', slow));
    const done = await untilDelivered(orderService.url, order.id);
    expectFullJourney(done);
  });

  it('lists the health of every live service instance, and forgets one that stops', async () => {
    const services = async () =>
      ServicesReport.parse(await (await fetch(`${orderService.url}/api/v1/health/services`)).json()).services;
    // simulators SIGKILLed by the tests before stay listed until they miss three reports (15 s): wait
    // until they are gone, so the list below shows this simulator and not a dead one
    await eventually(services, (list) => list.every((s) => s.service !== 'order-simulator'), 30_000);
    const simulator = await startProcess('packages/workers/src/simulator/main.ts', env);
    processes.push(simulator);
    const live = await eventually(services, (list) => list.length === 3);
    expect(live.map((s) => s.service)).toEqual(['delivery-service', 'order-service', 'order-simulator']);
    for (const s of live) expect(s).toMatchObject({ status: 'ok', checks: { bus: { status: 'ok' } } });
    expect(live.find((s) => s.service === 'order-simulator')!.checks.storage).toBeUndefined();
    expect(await simulator.stop()).toBe(0);
    const after = await eventually(services, (list) => list.length === 2);
    expect(after.map((s) => s.service)).toEqual(['delivery-service', 'order-service']);
  });

  it('a duplicate out_for_delivery event does not create a second delivery, and stale statuses change nothing', async () => {
    processes.push(await startProcess('packages/workers/src/simulator/main.ts', env));
    const order = await untilDelivered(orderService.url, (await placeOrder(orderService.url)).id);
    const replay = makeEvent('order.status_updated', {
      eventId: crypto.randomUUID(),
      orderId: order.id,
      source: SERVICES.order,
      payload: { status: 'out_for_delivery', previousStatus: 'preparing', simulate: true, deliveryStatus: null },
    });
    const stale = makeEvent('order.status_simulated', { eventId: crypto.randomUUID(), orderId: order.id, source: SERVICES.simulator, payload: { status: 'confirmed' } });
    await client.xadd(STREAMS.orders, '*', 'data', JSON.stringify(replay));
    await client.xadd(STREAMS.orderStatus, '*', 'data', JSON.stringify(stale));
    // both groups have consumed them once nothing is pending or undelivered
    await eventually(
      async () => Promise.all([groupBacklog(client, STREAMS.orders, 'delivery-group'), groupBacklog(client, STREAMS.orderStatus, 'orders-group')]),
      (backlogs) => backlogs.every((n) => n === 0),
    );
    expect(deliveriesPerOrder(databaseUrl).get(order.id)).toBe(1);
    const after = await readOrder(orderService.url, order.id);
    expect(after.status).toBe('delivered');
    expect(after.history).toEqual(order.history);
  });
});
