import { randomUUID } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WS_CLOSE_UNKNOWN_ORDER, orderEventsPath, type Order, type TrackingMessage } from '@pizza/contracts';
import type { AppRouter } from '@pizza/api';
import { startProcess, tempDatabaseUrl, type AppProcess } from './app-process';
// the same fixtures the notifications service's own tests use
import { JOURNEY_RANKS } from '../../../packages/api/src/notifications/journey.fixture';
import { rankOf } from '../../../packages/api/src/notifications/status-projection';
import { openTracking, type TrackingClient } from '../../../packages/api/src/notifications/tracking-client.fixture';
import { openSse } from '../../../packages/api/src/notifications/sse-client.fixture';

// The first step waits long enough for a client to connect before anything happens, also on a loaded
// machine (three clients of the first test open after the order is placed); the rest run fast.
const SIM = { SIM_CONFIRM_DELAY_MS: '4000', SIM_PREPARE_DELAY_MS: '50', SIM_PICKUP_DELAY_MS: '50', SIM_TRANSIT_DELAY_MS: '50' };
const database = tempDatabaseUrl();
let app: AppProcess;
beforeAll(async () => {
  app = await startProcess('apps/server/src/main.ts', { ...SIM, DATABASE_URL: database, WS_PING_INTERVAL_MS: '200', WS_IDLE_TIMEOUT_MS: '1000' });
});
afterAll(async () => {
  await app?.kill();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const wsUrl = (target: AppProcess, path: string) => `ws://127.0.0.1:${target.port}${path}`;

function track(target: AppProcess, orderId: string, options?: ClientOptions): TrackingClient {
  const client = openTracking(wsUrl(target, `/ws/v1/order-tracking/${orderId}`), options);
  cleanups.push(() => client.ws.terminate());
  return client;
}

function trpc(target: AppProcess) {
  const wsClient = createWSClient({ url: wsUrl(target, '/ws/v1/trpc'), WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
  cleanups.push(() => wsClient.close());
  return createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
}

async function placeOrder(target: AppProcess): Promise<Order> {
  const res = await fetch(`${target.url}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer: { name: 'Grace Hopper', phone: '555-0100-22', address: '1 Compiler Lane' }, items: [{ menuItemId: 'cola', quantity: 1 }] }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Order;
}

async function waitUntilDelivered(target: AppProcess, orderId: string): Promise<void> {
  await expect
    .poll(async () => ((await (await fetch(`${target.url}/api/v1/orders/${orderId}`)).json()) as Order).status, { timeout: 20_000 })
    .toBe('delivered');
}

describe('live tracking in the all-in-one process', () => {
  it('a tracking socket, a tRPC subscription and an SSE stream all follow the whole journey, in order, SSE with the tRPC event ids', async () => {
    const order = await placeOrder(app);
    const socket = track(app, order.id);
    const tracked: { id: string; rank: number }[] = [];
    const subscription = trpc(app).orders.track.subscribe({ orderId: order.id }, { onData: (event) => tracked.push({ id: event.id, rank: rankOf(event.data) }) });
    cleanups.push(() => subscription.unsubscribe());
    const sse = openSse(`${app.url}${orderEventsPath(order.id)}`);
    cleanups.push(() => sse.close());

    expect(await socket.waitForRanks(JOURNEY_RANKS.length, 20_000)).toEqual(JOURNEY_RANKS);
    await expect.poll(() => tracked.map((t) => t.rank), { timeout: 10_000 }).toEqual(JOURNEY_RANKS);
    await sse.waitForEvents(JOURNEY_RANKS.length, 10_000);
    expect(sse.events.map((e) => e.id)).toEqual(tracked.map((t) => t.id));
    expect(sse.events.map((e) => JSON.parse(e.data) as TrackingMessage)).toEqual(socket.statuses());
    expect(socket.statuses()[0]).toEqual({ type: 'status', orderId: order.id, status: 'created', deliveryStatus: null, at: order.createdAt });
    const delivered = socket.statuses().at(-1)!;
    expect(delivered).toMatchObject({ status: 'delivered', deliveryStatus: 'delivered' });
    const stored = ((await (await fetch(`${app.url}/api/v1/orders/${order.id}`)).json()) as Order);
    expect(delivered.at).toBe(stored.history.at(-1)!.at);
  });

  it('tRPC resumes after a disconnect with lastEventId: every step once, none missing', async () => {
    const order = await placeOrder(app);
    const first: { id: string; data: TrackingMessage }[] = [];
    const client = trpc(app);
    const subscription = client.orders.track.subscribe({ orderId: order.id }, { onData: (event) => first.push(event) });
    await expect.poll(() => first.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    subscription.unsubscribe(); // mid-way: the order goes on without us
    await waitUntilDelivered(app, order.id);

    const second: number[] = [];
    const resumed = trpc(app).orders.track.subscribe(
      { orderId: order.id, lastEventId: first.at(-1)!.id },
      { onData: (event) => second.push(rankOf(event.data)) },
    );
    cleanups.push(() => resumed.unsubscribe());
    await expect.poll(() => [...first.map((e) => rankOf(e.data)), ...second], { timeout: 10_000 }).toEqual(JOURNEY_RANKS);
  });

  it('a client that connects after delivery gets delivered at once, also after a restart (storage fallback)', async () => {
    const order = await placeOrder(app);
    await waitUntilDelivered(app, order.id);
    const late = track(app, order.id);
    expect(await late.waitForRanks(1)).toEqual([43]);

    // a fresh process has an empty in-process cache: the state comes from storage
    const restarted = await startProcess('apps/server/src/main.ts', { ...SIM, DATABASE_URL: database });
    cleanups.push(() => restarted.kill());
    const cold = track(restarted, order.id);
    expect(await cold.waitForRanks(1)).toEqual([43]);
    expect(cold.statuses()[0]).toMatchObject({ orderId: order.id, status: 'delivered', deliveryStatus: 'delivered' });
  });

  it('closes with 4404 for unknown and malformed order ids', async () => {
    for (const id of [randomUUID(), 'not-an-order', '%ZZ']) {
      const client = track(app, id);
      expect(await client.closed).toEqual({ code: WS_CLOSE_UNKNOWN_ORDER, reason: 'unknown order' });
    }
  });

  it('answers a text ping with a pong', async () => {
    const order = await placeOrder(app);
    const client = track(app, order.id);
    await client.waitForRanks(1);
    client.ws.send('ping');
    await expect.poll(() => client.received, { timeout: 10_000 }).toContainEqual({ type: 'pong' });
  });

  it('drops a client that stays silent past WS_IDLE_TIMEOUT_MS, keeps one that answers pings', async () => {
    const order = await placeOrder(app);
    const silent = track(app, order.id, { autoPong: false });
    const alive = track(app, order.id);
    await Promise.all([silent.waitForRanks(1), alive.waitForRanks(1)]);
    const started = Date.now();
    expect((await silent.closed).code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('shuts down cleanly with clients connected: sockets close with 1001, tRPC clients are told to reconnect', async () => {
    const own = await startProcess('apps/server/src/main.ts', { ...SIM, DATABASE_URL: database });
    cleanups.push(() => own.kill());
    const order = await placeOrder(own);
    const socket = track(own, order.id);
    await socket.waitForRanks(1);
    const raw = new WebSocket(wsUrl(own, '/ws/v1/trpc'));
    cleanups.push(() => raw.terminate());
    const frames: string[] = [];
    raw.on('message', (data) => frames.push(data.toString()));
    await new Promise((resolve) => raw.once('open', resolve));

    expect(await own.stop()).toBe(0);
    expect((await socket.closed).code).toBe(1001);
    expect(frames.map((f) => JSON.parse(f) as unknown)).toContainEqual({ id: null, method: 'reconnect' });
  });
});
