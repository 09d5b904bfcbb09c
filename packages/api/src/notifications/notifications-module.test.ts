import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError, createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import {
  EVENT_STREAM,
  SERVICES,
  TrackingMessage,
  WS_CLOSE_UNKNOWN_ORDER,
  orderEventsPath,
  trackingRank,
  type EventEnvelope,
} from '@pizza/contracts';
import { startService, type RunningService } from '@pizza/infra';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import type { AppRouter } from '../router';
import { JOURNEY_RANKS, deliverInStorage, journeyEvents, placeTestOrder } from './journey.fixture';
import { openTracking as openTrackingClient, type TrackingClient } from './tracking-client.fixture';
import { openSse } from './sse-client.fixture';
import { notificationsModule } from './notifications-module';
import { rankOf, trackedEventId } from './status-projection';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Notifications {
  running: RunningService;
  ws: string;
  http: string;
  publish(...events: EventEnvelope[]): Promise<void>;
  placeOrder(): Promise<string>;
}

const tempDatabase = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'notifications-')), 'pizza.db')}`;

/** The notifications module in a real service runtime (real HTTP server, storage and bus). */
async function startNotifications(topology: 'embedded' | 'redis', env: Record<string, string> = {}): Promise<Notifications> {
  const running = await startService({
    service: SERVICES.notifications,
    defaultPort: 0,
    env: {
      DATABASE_URL: tempDatabase(),
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      ...(topology === 'redis' ? { REDIS_URL: redis.url } : {}),
      ...env,
    },
    modules: (runtime) => [notificationsModule(runtime)],
  });
  cleanups.push(() => running.stop());
  const { bus, storage } = running.runtime;
  return {
    running,
    ws: `ws://127.0.0.1:${running.port}`,
    http: `http://127.0.0.1:${running.port}`,
    async publish(...events) {
      for (const event of events) await bus.publish(EVENT_STREAM[event.type], event);
    },
    placeOrder: () => placeTestOrder(storage),
  };
}

/** A tracking socket closed after the test. */
function openTracking(base: string, path: string, options?: ClientOptions): TrackingClient {
  const client = openTrackingClient(`${base}${path}`, options);
  cleanups.push(() => client.ws.terminate());
  return client;
}

const trackingPath = (orderId: string) => `/ws/v1/order-tracking/${orderId}`;

/** One sample of a Prometheus text exposition, whatever the label order; null when absent. */
async function metric(base: string, name: string, labels: Record<string, string>): Promise<number | null> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

/**
 * Publishes one event at a time and waits until `received` reflects it, as the real lifecycle
 * paces them (each step causes the next): the Redis subscription hands over a read of several
 * streams one stream at a time, so a burst spread over two streams may arrive reordered.
 */
async function publishPaced(app: Notifications, events: EventEnvelope[], from: number, received: () => number[]) {
  for (let i = from; i < events.length; i++) {
    await app.publish(events[i]!);
    await expect.poll(() => received().includes(JOURNEY_RANKS[i]!), { timeout: 10_000 }).toBe(true);
  }
}

describe.each(['embedded', 'redis'] as const)('notifications service (%s topology)', (topology) => {
  describe('WS /ws/v1/order-tracking/{orderId}', () => {
    it('sends the current status at once, then every change up to delivered, in order', async () => {
      const app = await startNotifications(topology);
      const orderId = await app.placeOrder();
      const events = journeyEvents(orderId);
      const client = openTracking(app.ws, trackingPath(orderId));
      expect(await client.waitForRanks(1)).toEqual([0]);
      expect(client.received[0]).toEqual({ type: 'status', orderId, status: 'created', deliveryStatus: null, at: expect.any(String) });
      await publishPaced(app, events, 1, client.ranks);
      expect(await client.waitForRanks(JOURNEY_RANKS.length)).toEqual(JOURNEY_RANKS);
      expect(client.statuses().slice(1).map((m) => m.at)).toEqual(events.slice(1).map((e) => e.occurredAt));
      expect(client.statuses().at(-1)).toEqual({ type: 'status', orderId, status: 'delivered', deliveryStatus: 'delivered', at: events.at(-1)!.occurredAt });

      expect(await metric(app.http, 'ws_connections_open', { transport: 'tracking' })).toBe(1);
      expect(await metric(app.http, 'ws_messages_pushed_total', { transport: 'tracking' })).toBe(8);
      expect(await metric(app.http, 'ws_push_latency_seconds_count', { transport: 'tracking' })).toBe(7); // live pushes only
    });

    it('closes with 4404 for an unknown or malformed order id', async () => {
      const app = await startNotifications(topology);
      for (const path of [trackingPath(randomUUID()), trackingPath('nope'), trackingPath('%E0%A4%A'), '/ws/v1/order-tracking', `${trackingPath(randomUUID())}/x`]) {
        const client = openTracking(app.ws, path);
        expect(await client.closed, path).toEqual({ code: WS_CLOSE_UNKNOWN_ORDER, reason: 'unknown order' });
        expect(client.received).toEqual([]);
      }
    });

    it('answers a text ping with a pong', async () => {
      const app = await startNotifications(topology);
      const client = openTracking(app.ws, trackingPath(await app.placeOrder()));
      await client.waitForRanks(1);
      client.ws.send('ping');
      await expect.poll(() => client.received).toContainEqual({ type: 'pong' });
    });

    it('a client that connects after delivery gets delivered at once, from the cache or from storage', async () => {
      const app = await startNotifications(topology);
      const cachedId = await app.placeOrder();
      await app.publish(...journeyEvents(cachedId));
      const live = openTracking(app.ws, trackingPath(cachedId));
      await expect.poll(() => live.ranks().at(-1), { timeout: 10_000 }).toBe(43);
      const late = openTracking(app.ws, trackingPath(cachedId));
      expect(await late.waitForRanks(1)).toEqual([43]);

      const coldId = await app.placeOrder();
      await deliverInStorage(app.running.runtime.storage, coldId);
      const cold = openTracking(app.ws, trackingPath(coldId));
      expect(await cold.waitForRanks(1)).toEqual([43]);
      expect(cold.statuses()[0]).toMatchObject({ orderId: coldId, status: 'delivered', deliveryStatus: 'delivered' });
    });

    it('never sends an older status after a newer one when events arrive out of order', async () => {
      const app = await startNotifications(topology);
      const orderId = await app.placeOrder();
      const [created, confirmed, preparing, outForDelivery] = journeyEvents(orderId);
      const client = openTracking(app.ws, trackingPath(orderId));
      await client.waitForRanks(1);
      await app.publish(created!, preparing!, confirmed!, created!);
      await expect.poll(() => client.ranks()).toEqual([0, 20]);
      await app.publish(outForDelivery!, preparing!);
      await expect.poll(() => client.ranks()).toEqual([0, 20, 30]);
      // and a late joiner starts from the newest
      expect(await openTracking(app.ws, trackingPath(orderId)).waitForRanks(1)).toEqual([30]);
    });
  });

  describe('tRPC orders.track over /ws/v1/trpc', () => {
    const trpcClient = (url: string | (() => string)) => {
      const wsClient = createWSClient({ url, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, retryDelayMs: () => 50 });
      cleanups.push(() => wsClient.close());
      return createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    };

    /** Subscribes and records the tracked events. */
    const track = (client: ReturnType<typeof trpcClient>, orderId: string, lastEventId?: string) => {
      const received: { id: string; data: TrackingMessage }[] = [];
      const errors: unknown[] = [];
      const subscription = client.orders.track.subscribe(
        { orderId, ...(lastEventId ? { lastEventId } : {}) },
        { onData: (event) => received.push(event), onError: (error) => errors.push(error) },
      );
      cleanups.push(() => subscription.unsubscribe());
      // ids name steps; the ranks say which, and every id must be the one for its step
      const ids = () =>
        received.map((e) => {
          expect(e.id).toBe(trackedEventId(orderId, rankOf(e.data)));
          return rankOf(e.data);
        });
      return { received, errors, subscription, ids };
    };

    it('receives the whole lifecycle as tracked events', async () => {
      const app = await startNotifications(topology);
      const orderId = await app.placeOrder();
      const events = journeyEvents(orderId);
      const tracking = track(trpcClient(`${app.ws}/ws/v1/trpc`), orderId);
      await expect.poll(() => tracking.ids()).toEqual([0]);
      await publishPaced(app, events, 1, tracking.ids);
      expect(tracking.ids()).toEqual(JOURNEY_RANKS);
      for (const { id, data } of tracking.received) {
        expect(TrackingMessage.parse(data)).toEqual(data);
        expect(id).toBe(trackedEventId(orderId, trackingRank(data.status, data.deliveryStatus)));
      }
      expect(await metric(app.http, 'ws_connections_open', { transport: 'trpc' })).toBe(1);
      expect(await metric(app.http, 'ws_messages_pushed_total', { transport: 'trpc' })).toBe(8);
    });

    it('resumes after lastEventId on a new connection: no gap, no duplicate', async () => {
      const app = await startNotifications(topology);
      const orderId = await app.placeOrder();
      const events = journeyEvents(orderId);
      const url = `${app.ws}/ws/v1/trpc`;

      const first = track(trpcClient(url), orderId);
      await expect.poll(() => first.ids()).toEqual([0]);
      await app.publish(...events.slice(0, 4));
      await expect.poll(() => first.ids()).toEqual([0, 10, 20, 30]);
      first.subscription.unsubscribe();

      await app.publish(...events.slice(4, 6)); // happens while nobody listens
      const second = track(trpcClient(url), orderId, first.received.at(-1)!.id);
      await expect.poll(() => second.ids()).toEqual([31, 32]);
      await publishPaced(app, events, 6, second.ids);
      expect(second.ids()).toEqual([31, 32, 33, 43]);
      expect([...first.ids(), ...second.ids()]).toEqual(JOURNEY_RANKS);
    });

    it('fails the subscription with NOT_FOUND for an unknown order', async () => {
      const app = await startNotifications(topology);
      const tracking = track(trpcClient(`${app.ws}/ws/v1/trpc`), randomUUID());
      await expect.poll(() => tracking.errors.length).toBe(1);
      const error = tracking.errors[0] as TRPCClientError<AppRouter>;
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error.data).toMatchObject({ code: 'NOT_FOUND', appCode: 'NOT_FOUND' });
      expect(tracking.received).toEqual([]);
    });
  });
});

describe('notifications service limits', () => {
  it('drops a client that never answers pings, keeps one that does', async () => {
    const app = await startNotifications('embedded', { WS_PING_INTERVAL_MS: '100', WS_IDLE_TIMEOUT_MS: '400' });
    const orderId = await app.placeOrder();
    const silent = openTracking(app.ws, trackingPath(orderId), { autoPong: false });
    const alive = openTracking(app.ws, trackingPath(orderId));
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    await silent.waitForRanks(1);
    const closedAt = Date.now();
    expect((await silent.closed).code).toBe(1006); // terminated: no close handshake with a dead peer
    expect(Date.now() - closedAt).toBeLessThan(3000);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(await metric(app.http, 'ws_connections_dropped_total', { transport: 'tracking', reason: 'idle' })).toBe(1);
  });

  it('refuses connections beyond WS_MAX_CONNECTIONS with 1013, across both transports', async () => {
    const app = await startNotifications('embedded', { WS_MAX_CONNECTIONS: '2' });
    const orderId = await app.placeOrder();
    const first = openTracking(app.ws, trackingPath(orderId));
    const second = openTracking(app.ws, trackingPath(orderId));
    await Promise.all([first.waitForRanks(1), second.waitForRanks(1)]);
    const third = openTracking(app.ws, trackingPath(orderId));
    expect(await third.closed).toEqual({ code: 1013, reason: 'try again later' });
    const trpc = new WebSocket(`${app.ws}/ws/v1/trpc`);
    cleanups.push(() => trpc.terminate());
    expect(await new Promise((resolve) => trpc.on('close', (code) => resolve(code)))).toBe(1013);
    first.ws.close();
    await first.closed;
    const again = openTracking(app.ws, trackingPath(orderId));
    expect(await again.waitForRanks(1)).toEqual([0]);
  });

  it('drops a client that does not read what it is sent (WS_MAX_BUFFERED_BYTES)', async () => {
    const app = await startNotifications('embedded', { WS_MAX_BUFFERED_BYTES: '1024' });
    const orderId = await app.placeOrder();
    const reader = openTracking(app.ws, trackingPath(orderId));
    const stalled = openTracking(app.ws, trackingPath(orderId));
    await Promise.all([reader.waitForRanks(1), stalled.waitForRanks(1)]);
    // Stop reading, then ask for pongs until the server's send buffer for this client overflows. The
    // kernel's socket buffers on loopback take megabytes first (hundreds of thousands of pongs),
    // which takes a while on a busy machine: bounded by rounds, each sending 50,000 pings.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let rounds = 0;
    while ((await metric(app.http, 'ws_connections_dropped_total', { transport: 'tracking', reason: 'slow' })) !== 1) {
      expect(++rounds).toBeLessThanOrEqual(200);
      for (let i = 0; i < 50_000; i++) stalled.ws.send('ping');
      await new Promise((r) => setTimeout(r, 20));
    }
    reader.ws.send('ping');
    await expect.poll(() => reader.received).toContainEqual({ type: 'pong' });
  }, 180_000);

  it('drops a tRPC socket client that does not read what it is sent (WS_MAX_BUFFERED_BYTES)', async () => {
    const app = await startNotifications('embedded', { WS_MAX_BUFFERED_BYTES: '1024' });
    const stalled = new WebSocket(`${app.ws}/ws/v1/trpc`);
    cleanups.push(() => stalled.terminate());
    await new Promise((resolve, reject) => stalled.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => stalled.once('close', (code) => resolve(code)));
    // stop reading, then ask for the menu (a few KiB per answer) until the server's send buffer overflows
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    // bounded by rounds, not by time: a busy machine only makes each round slower
    let rounds = 0;
    let id = 0;
    while ((await metric(app.http, 'ws_connections_dropped_total', { transport: 'trpc', reason: 'slow' })) !== 1) {
      expect(++rounds).toBeLessThanOrEqual(400);
      for (let i = 0; i < 500 && stalled.readyState === stalled.OPEN; i++) {
        stalled.send(JSON.stringify({ id: ++id, method: 'query', params: { path: 'menu.list' } }));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1013);
  }, 180_000);

  it('closes a client that sends an oversized frame, and keeps serving', async () => {
    const app = await startNotifications('embedded');
    const orderId = await app.placeOrder();
    const client = openTracking(app.ws, trackingPath(orderId));
    await client.waitForRanks(1);
    client.ws.send('x'.repeat(4096));
    expect((await client.closed).code).toBe(1009);
    expect(await openTracking(app.ws, trackingPath(orderId)).waitForRanks(1)).toEqual([0]);
  });

  it('on shutdown tells tRPC clients to reconnect, and they resume on another replica without gaps', async () => {
    const database = tempDatabase();
    const a = await startNotifications('redis', { DATABASE_URL: database });
    const b = await startNotifications('redis', { DATABASE_URL: database });
    const orderId = await a.placeOrder();
    const events = journeyEvents(orderId);
    let target = a.ws;
    const wsClient = createWSClient({ url: () => `${target}/ws/v1/trpc`, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, retryDelayMs: () => 50 });
    cleanups.push(() => wsClient.close());
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const ids: number[] = [];
    const subscription = client.orders.track.subscribe({ orderId }, { onData: (event) => ids.push(rankOf(event.data)) });
    cleanups.push(() => subscription.unsubscribe());
    await expect.poll(() => ids).toEqual([0]);
    await a.publish(...events.slice(0, 3));
    await expect.poll(() => ids).toEqual([0, 10, 20]);

    target = b.ws;
    await a.running.stop();
    await publishPaced(b, events, 3, () => ids);
    expect(ids).toEqual(JOURNEY_RANKS);
  });
});

describe('SSE GET /api/v1/orders/{id}/events', () => {
  /** An SSE client closed after the test; `ranks()` checks every id is the tracked id of its step. */
  const sse = (app: Notifications, orderId: string, headers: Record<string, string> = {}) => {
    const client = openSse(`${app.http}${orderEventsPath(orderId)}`, headers);
    cleanups.push(() => client.close());
    const statuses = () => client.events.map((e) => TrackingMessage.parse(JSON.parse(e.data)));
    const ranks = () =>
      client.events.map((e, i) => {
        expect(e.event).toBe('status');
        expect(e.id).toBe(trackedEventId(orderId, rankOf(statuses()[i]!)));
        return rankOf(statuses()[i]!);
      });
    return { client, statuses, ranks };
  };

  it.each(['embedded', 'redis'] as const)(
    '%s: a client that drops after preparing and reconnects with Last-Event-ID gets each later state once',
    async (topology) => {
      const app = await startNotifications(topology);
      const orderId = await app.placeOrder();
      const events = journeyEvents(orderId);
      const first = sse(app, orderId);
      expect(await first.client.status).toBe(200);
      expect((await first.client.headers)['content-type']).toBe('text/event-stream; charset=utf-8');
      await first.client.waitForEvents(1);
      expect(first.statuses()[0]).toEqual({ type: 'status', orderId, status: 'created', deliveryStatus: null, at: expect.any(String) });
      await publishPaced(app, events.slice(0, 3), 1, first.ranks);
      expect(first.ranks()).toEqual([0, 10, 20]); // up to preparing
      first.client.close();
      await first.client.ended;

      await app.publish(events[3]!); // out_for_delivery, while nobody listens
      const second = sse(app, orderId, { 'last-event-id': first.client.events.at(-1)!.id! });
      await expect.poll(() => second.ranks(), { timeout: 10_000 }).toEqual([30]);
      await publishPaced(app, events, 4, second.ranks);
      expect(second.ranks()).toEqual([30, 31, 32, 33, 43]);
      expect([...first.ranks(), ...second.ranks()]).toEqual(JOURNEY_RANKS);
      expect(await metric(app.http, 'ws_connections_open', { transport: 'sse' })).toBe(1);
      expect(await metric(app.http, 'ws_messages_pushed_total', { transport: 'sse' })).toBe(8);
    },
  );

  it('sends keep-alive comments, and starts from the current state for a Last-Event-ID that is not ours', async () => {
    const app = await startNotifications('embedded', { WS_PING_INTERVAL_MS: '200', WS_IDLE_TIMEOUT_MS: '1000' });
    const orderId = await app.placeOrder();
    await app.publish(...journeyEvents(orderId).slice(0, 3));
    const watcher = sse(app, orderId);
    await expect.poll(() => watcher.ranks(), { timeout: 10_000 }).toEqual([20]);
    for (const lastEventId of [randomUUID(), trackedEventId(randomUUID(), 10), 'not-an-id']) {
      const client = sse(app, orderId, { 'last-event-id': lastEventId });
      await client.client.waitForEvents(1);
      expect(client.ranks()).toEqual([20]);
    }
    await expect.poll(() => watcher.client.comments, { timeout: 10_000 }).toContain('keep-alive');
  });

  it('answers 404 JSON before any stream for an unknown or malformed id, 405 for another method', async () => {
    const app = await startNotifications('embedded');
    for (const id of [randomUUID(), 'nope', '%E0%A4%A']) {
      const res = await fetch(`${app.http}/api/v1/orders/${id}/events`);
      expect(res.status, id).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });
    }
    const post = await fetch(`${app.http}${orderEventsPath(randomUUID())}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('refuses a page of a foreign origin with 403 JSON before any stream; the own origin and ALLOWED_ORIGINS open', async () => {
    const app = await startNotifications('embedded', { ALLOWED_ORIGINS: 'https://shop.example' });
    const orderId = await app.placeOrder();
    const url = `${app.http}${orderEventsPath(orderId)}`;
    const refused = await fetch(url, { headers: { origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('ALLOWED_ORIGINS') });
    expect(await metric(app.http, 'ws_connections_dropped_total', { transport: 'sse', reason: 'origin' })).toBe(1);
    for (const origin of ['https://shop.example', new URL(app.http).origin]) {
      const opened = sse(app, orderId, { origin });
      expect(await opened.client.status, origin).toBe(200);
      await opened.client.waitForEvents(1);
    }
  });

  it('counts SSE streams in WS_MAX_CONNECTIONS: 503 with Retry-After over the cap, for both kinds of client', async () => {
    const app = await startNotifications('embedded', { WS_MAX_CONNECTIONS: '2' });
    const orderId = await app.placeOrder();
    const stream = sse(app, orderId);
    const socket = openTracking(app.ws, trackingPath(orderId));
    await Promise.all([stream.client.waitForEvents(1), socket.waitForRanks(1)]);
    const refused = await fetch(`${app.http}${orderEventsPath(orderId)}`);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await openTracking(app.ws, trackingPath(orderId)).closed).toEqual({ code: 1013, reason: 'try again later' });
    expect(await metric(app.http, 'ws_connections_dropped_total', { transport: 'sse', reason: 'capacity' })).toBe(1);

    stream.client.close();
    await expect.poll(() => metric(app.http, 'ws_connections_open', { transport: 'sse' })).toBe(0);
    const again = sse(app, orderId);
    expect(await again.client.waitForEvents(1)).toHaveLength(1);
  });

  it('ends open streams on shutdown', async () => {
    const app = await startNotifications('embedded');
    const stream = sse(app, await app.placeOrder());
    await stream.client.waitForEvents(1);
    await app.running.stop();
    await stream.client.ended;
  });
});

describe('tRPC menu.stock over /ws/v1/trpc', () => {
  /** Follows `menu.stock` as a page does; every batch of levels it receives, in order. */
  const followStock = (app: Notifications) => {
    const wsClient = createWSClient({ url: `${app.ws}/ws/v1/trpc`, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    cleanups.push(() => wsClient.close());
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const updates: { id: string; stock: number }[][] = [];
    const subscription = client.menu.stock.subscribe(undefined, { onData: (levels) => updates.push(levels) });
    cleanups.push(() => subscription.unsubscribe());
    return updates;
  };

  it.each(['embedded', 'redis'] as const)('%s: every item at once, then only the items an order or an operator changed', async (topology) => {
    const app = await startNotifications(topology);
    const updates = followStock(app);
    const menu = await app.running.runtime.storage.listMenu();
    await expect.poll(() => updates.length).toBe(1);
    expect(updates[0]).toEqual(menu.map(({ id, stock }) => ({ id, stock })));

    const before = menu.find((item) => item.id === 'margherita')!.stock;
    const orderId = await app.placeOrder(); // takes one Margherita
    await app.publish(journeyEvents(orderId)[0]!); // its order.created
    await expect.poll(() => updates.length, { timeout: 10_000 }).toBe(2);
    expect(updates[1]).toEqual([{ id: 'margherita', stock: before - 1 }]);

    // stock set by an operator (no event on the bus) reaches the page too
    await app.running.runtime.storage.setStock('cola', 777);
    await expect.poll(() => updates.length, { timeout: 10_000 }).toBe(3);
    expect(updates[2]).toEqual([{ id: 'cola', stock: 777 }]);
  });

  it('a stock level that changed while nobody followed and then came back is still pushed to a new follower', async () => {
    const app = await startNotifications('embedded');
    const before = (await app.running.runtime.storage.getMenuItem('margherita'))!.stock;
    // nobody follows: the feed reads nothing for this order
    const orderId = await app.placeOrder(); // takes one Margherita
    await app.publish(journeyEvents(orderId)[0]!);

    const updates = followStock(app);
    await expect.poll(() => updates.length).toBeGreaterThanOrEqual(1);
    expect(updates[0]).toContainEqual({ id: 'margherita', stock: before - 1 });

    // an operator puts the level back to what it was before the order: the page must hear of it
    await app.running.runtime.storage.setStock('margherita', before);
    const latest = () => updates.flat().filter((level) => level.id === 'margherita').at(-1)?.stock;
    await expect.poll(latest, { timeout: 10_000 }).toBe(before);
  });
});
