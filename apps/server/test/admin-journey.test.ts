import { ErrorBody, Journey, JourneyHop, type Order } from '@pizza/contracts';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTracking, type TrackingClient } from '../../../packages/api/src/notifications/tracking-client.fixture';
import { eventually, startProcess, tempDatabaseUrl, type AppProcess } from './app-process';
import { jsonCall } from './json-call';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver';

// Black-box: GET /api/v1/admin/orders/{id}/journey and the admin.journey subscription, embedded
// (in-process bus, journeys in memory) and as four processes sharing Redis (journeys in Redis).
const TOKEN = 'journey-test-token-0123456789';
// the first step waits for the tracking socket to connect, also on a loaded machine; the rest run fast
const SIM = { SIM_CONFIRM_DELAY_MS: '4000', SIM_PREPARE_DELAY_MS: '20', SIM_PICKUP_DELAY_MS: '20', SIM_TRANSIT_DELAY_MS: '20' };
const ORDER = { customer: { name: 'Ada Journey', phone: '+1 555 0142', address: '2 Hop Street' }, items: [{ menuItemId: 'cola', quantity: 1 }] };
const KINDS = ['commit', 'http', 'process', 'publish', 'push'];

async function placeOrder(base: string): Promise<Order> {
  const { status, body } = await jsonCall(base, '/api/v1/orders', { method: 'POST', body: ORDER });
  expect(status).toBe(201);
  return body as Order;
}

/** The journey of a delivered order (as its tracking client saw it) once it holds every kind of hop. */
async function completeJourney(base: string, client: TrackingClient, orderId: string, headers: Record<string, string> = {}): Promise<Journey> {
  // the client follows the order before the simulator confirms it, so the later steps are pushed to it
  await client.waitForRanks(1, 20_000);
  expect(client.statuses()[0]?.status, 'the tracking client connected before the order was confirmed').toBe('created');
  await vi.waitFor(() => expect(client.statuses().at(-1)?.status).toBe('delivered'), { timeout: 40_000, interval: 50 });
  return eventually(
    async () => {
      const { status, body } = await jsonCall(base, `/api/v1/admin/orders/${orderId}/journey`, { headers });
      return status === 200 ? Journey.parse(body) : null;
    },
    (journey) => journey !== null && KINDS.every((kind) => journey.hops.some((h) => h.kind === kind)),
    20_000,
  ) as Promise<Journey>;
}

/** The hops the admin.journey subscription sends over SSE until `enough` says stop. */
async function subscribeJourney(base: string, orderId: string, headers: Record<string, string>, enough: (hops: JourneyHop[]) => boolean): Promise<JourneyHop[]> {
  const abort = new AbortController();
  const input = encodeURIComponent(JSON.stringify({ orderId }));
  const res = await fetch(`${base}/api/trpc/admin.journey?input=${input}`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const hops: JourneyHop[] = [];
  let buffer = '';
  const deadline = Date.now() + 30_000;
  try {
    while (!enough(hops) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const events = buffer.split('\n\n');
      buffer = events.pop()!;
      for (const event of events) {
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        const parsed = data ? JourneyHop.safeParse(JSON.parse(data.slice(6))) : null;
        if (parsed?.success) hops.push(parsed.data);
      }
    }
  } finally {
    abort.abort();
  }
  return hops;
}

describe('embedded, ADMIN_TOKEN unset: journeys in memory', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startProcess('apps/server/src/main.ts', SIM);
  });
  afterAll(async () => {
    await app?.kill();
  });

  it('shows every hop of an order placed over HTTP, sorted by time: http, commit, publish, process per group, push with sockets', async () => {
    const order = await placeOrder(app.url);
    const client = openTracking(`ws://127.0.0.1:${app.port}/ws/v1/order-tracking/${order.id}`);
    try {
      const journey = await completeJourney(app.url, client, order.id);
      expect(journey.orderId).toBe(order.id);
      const times = journey.hops.map((h) => Date.parse(h.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(journey.hops.slice(0, 2).map((h) => h.kind)).toEqual(['http', 'commit']);
      expect(journey.hops[0]).toMatchObject({ service: 'order-service', instance: expect.stringMatching(/^pizza-express-/), tookMs: expect.any(Number) });
      const processed = journey.hops.filter((h) => h.kind === 'process');
      expect(new Set(processed.map((h) => h.group))).toEqual(new Set(['delivery-group', 'simulator-group', 'orders-group']));
      for (const hop of processed) expect(hop).toMatchObject({ attempt: 1, waitedMs: expect.any(Number), tookMs: expect.any(Number), stream: expect.any(String), eventType: expect.any(String) });
      const pushes = journey.hops.filter((h) => h.kind === 'push');
      expect(pushes.some((h) => h.sockets === 1)).toBe(true);
      for (const hop of journey.hops) expect(hop.traceId, 'tracing is off').toBeUndefined();
    } finally {
      client.ws.terminate();
    }
  });

  it('streams the hops over SSE (admin.journey): those already kept first, then each new one', async () => {
    const order = await placeOrder(app.url);
    const hops = await subscribeJourney(app.url, order.id, {}, (h) => h.some((hop) => hop.kind === 'process' && hop.group === 'simulator-group' && hop.eventType === 'order.simulate'));
    expect(hops.slice(0, 2).map((h) => h.kind).sort()).toEqual(['commit', 'http']);
    expect(hops.some((h) => h.kind === 'publish')).toBe(true);
  });

  it('answers 404 naming why for an unknown order and for a malformed id (as GET /orders/{id} does), is in OpenAPI with the bearer scheme, 403 through a proxy', async () => {
    const unknown = await jsonCall(app.url, '/api/v1/admin/orders/0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/journey');
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(unknown.body)).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('does not exist') });
    const malformed = await jsonCall(app.url, '/api/v1/admin/orders/not-an-order/journey');
    expect(malformed.status).toBe(404);
    expect(ErrorBody.parse(malformed.body).message).toContain('not an order id');
    expect((await jsonCall(app.url, '/api/v1/orders/not-an-order')).status).toBe(404);
    const doc = (await jsonCall(app.url, '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown> }>> };
    const route = doc.paths['/admin/orders/{id}/journey']?.get;
    expect(route?.security).toEqual([expect.objectContaining({ adminBearer: expect.any(Array) })]);
    expect(Object.keys(route?.responses ?? {})).toEqual(expect.arrayContaining(['200', '404']));
    const proxied = await jsonCall(app.url, '/api/v1/admin/orders/0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/journey', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
    expect(ErrorBody.parse(proxied.body).message).toContain('ADMIN_TOKEN');
  });
});

describe('four processes on Redis, ADMIN_TOKEN set, tracing on: journeys shared through Redis', () => {
  let redis: RedisServer;
  let receiver: OtlpReceiver;
  const processes: AppProcess[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    redis = await startRedisServer();
    receiver = await startOtlpReceiver();
    const env = { ...SIM, DATABASE_URL: tempDatabaseUrl(), REDIS_URL: redis.url, ADMIN_TOKEN: TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    processes.push(
      ...(await Promise.all([
        startProcess('packages/api/src/order-service/main.ts', env),
        startProcess('packages/workers/src/delivery/main.ts', env),
        startProcess('packages/workers/src/simulator/main.ts', env),
        startProcess('packages/api/src/notifications/main.ts', env),
      ])),
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await receiver?.close();
    await redis?.stop();
  });

  it('one journey holds the hops of every process, each naming its service and instance, all in the order trace', async () => {
    const [orderService, , , notifications] = processes as [AppProcess, AppProcess, AppProcess, AppProcess];
    const order = await placeOrder(orderService.url);
    const client = openTracking(`ws://127.0.0.1:${notifications.port}/ws/v1/order-tracking/${order.id}`);
    try {
      const journey = await completeJourney(orderService.url, client, order.id, auth);
      const services = (kind: string) => new Set(journey.hops.filter((h) => h.kind === kind).map((h) => h.service));
      expect(services('process')).toEqual(new Set(['order-service', 'delivery', 'simulator']));
      expect(services('push')).toEqual(new Set(['notifications']));
      // an instance is `<service>-<host>-<pid>`, and the host name may hold hyphens
      const names = ['order-service', 'delivery-service', 'order-simulator', 'notifications-service'];
      const instances = new Set(journey.hops.map((h) => names.find((name) => h.instance.startsWith(`${name}-`)) ?? h.instance));
      expect(instances).toEqual(new Set(names));
      const traceIds = new Set(journey.hops.map((h) => h.traceId));
      expect(traceIds.size).toBe(1);
      expect([...traceIds][0]).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      client.ws.terminate();
    }
  });

  it('needs the bearer token: 401 without, 403 wrong (REST and the subscription)', async () => {
    const path = '/api/v1/admin/orders/0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b/journey';
    expect((await jsonCall(processes[0]!.url, path)).status).toBe(401);
    expect((await jsonCall(processes[0]!.url, path, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    expect((await jsonCall(processes[0]!.url, path, { headers: auth })).status).toBe(404);
    const input = encodeURIComponent(JSON.stringify({ orderId: '0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }));
    const refused = await (await fetch(`${processes[0]!.url}/api/trpc/admin.journey?input=${input}`, { headers: { accept: 'text/event-stream' } })).text();
    expect(refused).toMatch(/event: serialized-error\ndata: .*"httpStatus":401/);
  });
});
