import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, MENU_SEED, MenuItem, Order } from '@pizza/contracts';
import { startProcess, type AppProcess } from './app-process';

// Black-box: the all-in-one process as a client sees it (docs/api.md).
let app: AppProcess;
beforeAll(async () => {
  app = await startProcess('apps/server/src/main.ts', { SIM_CONFIRM_DELAY_MS: '60000' });
});
afterAll(async () => {
  await app?.kill();
});

const customer = { name: 'Ada Lovelace', phone: '+44 20 7946 0000', address: '12 Analytical Row, London' };
const validOrder = (items = [{ menuItemId: 'margherita', quantity: 1 }]) => ({ customer, items, simulate: false });

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
}
async function get(path: string) {
  const res = await fetch(`${app.url}${path}`);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
}
async function stockOf(id: string): Promise<number> {
  const { body } = await get(`/api/v1/menu/${id}`);
  return MenuItem.parse(body).stock;
}

describe('menu', () => {
  it('lists the seeded menu', async () => {
    const { status, body } = await get('/api/v1/menu');
    expect(status).toBe(200);
    const items = MenuItem.array().parse(body);
    expect(items.map((i) => i.id).sort()).toEqual(MENU_SEED.map((i) => i.id).sort());
    expect(items.find((i) => i.id === 'margherita')).toMatchObject({ name: 'Margherita', category: 'pizza', priceCents: 1299 });
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${app.url}/api/v1/menu`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const second = await fetch(`${app.url}/api/v1/menu`, { headers: { 'if-none-match': etag! } });
    expect(second.status).toBe(304);
  });

  it('gets one item, 404 for an unknown one', async () => {
    expect((await get('/api/v1/menu/tiramisu')).body).toMatchObject({ id: 'tiramisu', priceCents: 699 });
    const missing = await get('/api/v1/menu/no-such-pizza');
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(missing.body).code).toBe('NOT_FOUND');
  });
});

describe('placing orders', () => {
  it('creates an order (201), takes stock, and reads it back', async () => {
    const before = await stockOf('pepperoni');
    const { status, body } = await post(validOrder([{ menuItemId: 'pepperoni', quantity: 2 }, { menuItemId: 'cola', quantity: 3 }]));
    expect(status).toBe(201);
    const order = Order.parse(body);
    expect(order).toMatchObject({ status: 'created', simulate: false, totalCents: 2 * 1499 + 3 * 299, delivery: null });
    expect(order.items).toEqual([
      { menuItemId: 'pepperoni', name: 'Pepperoni', quantity: 2, unitPriceCents: 1499 },
      { menuItemId: 'cola', name: 'Cola', quantity: 3, unitPriceCents: 299 },
    ]);
    expect(order.history).toEqual([{ status: 'created', at: order.createdAt }]);
    expect(order.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await stockOf('pepperoni')).toBe(before - 2);
    const read = await get(`/api/v1/orders/${order.id}`);
    expect(read.status).toBe(200);
    expect(Order.parse(read.body)).toEqual(order);
  });

  it('defaults simulate to true', async () => {
    const { status, body } = await post({ customer, items: [{ menuItemId: 'cola', quantity: 1 }] });
    expect(status).toBe(201);
    expect(Order.parse(body).simulate).toBe(true);
  });

  it('accepts application/json with a charset', async () => {
    const res = await fetch(`${app.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(validOrder()),
    });
    expect(res.status).toBe(201);
  });
});

describe('bad input: 4xx with code and message, nothing changes, never 500', () => {
  const cases: [string, unknown, string][] = [
    ['an unknown top-level field', { ...validOrder(), coupon: 'FREE' }, 'VALIDATION_ERROR'],
    ['an unknown customer field', { ...validOrder(), customer: { ...customer, email: 'a@b.c' } }, 'VALIDATION_ERROR'],
    ['an unknown line field', validOrder([{ menuItemId: 'cola', quantity: 1, note: 'x' } as never]), 'VALIDATION_ERROR'],
    ['a string quantity', validOrder([{ menuItemId: 'cola', quantity: '2' } as never]), 'VALIDATION_ERROR'],
    ['a boolean quantity', validOrder([{ menuItemId: 'cola', quantity: true } as never]), 'VALIDATION_ERROR'],
    ['an array quantity', validOrder([{ menuItemId: 'cola', quantity: [2] } as never]), 'VALIDATION_ERROR'],
    ['a string simulate flag', { ...validOrder(), simulate: 'false' }, 'VALIDATION_ERROR'],
    ['items that are not an array', { customer, items: 'margherita' }, 'VALIDATION_ERROR'],
    ['a missing customer', { items: [{ menuItemId: 'cola', quantity: 1 }] }, 'VALIDATION_ERROR'],
    ['a customer with a blank name', { ...validOrder(), customer: { ...customer, name: '   ' } }, 'VALIDATION_ERROR'],
    ['an invalid phone', { ...validOrder(), customer: { ...customer, phone: 'call me maybe' } }, 'VALIDATION_ERROR'],
    ['empty items', { customer, items: [] }, 'VALIDATION_ERROR'],
    ['quantity 0', validOrder([{ menuItemId: 'cola', quantity: 0 }]), 'VALIDATION_ERROR'],
    ['quantity 51', validOrder([{ menuItemId: 'cola', quantity: 51 }]), 'VALIDATION_ERROR'],
    ['a fractional quantity', validOrder([{ menuItemId: 'cola', quantity: 1.5 }]), 'VALIDATION_ERROR'],
    ['21 lines', validOrder(Array.from({ length: 21 }, (_, i) => ({ menuItemId: `item-${i}`, quantity: 1 }))), 'VALIDATION_ERROR'],
    ['the same item twice', validOrder([{ menuItemId: 'cola', quantity: 1 }, { menuItemId: 'cola', quantity: 2 }]), 'VALIDATION_ERROR'],
    ['an unknown menu item', validOrder([{ menuItemId: 'cola', quantity: 1 }, { menuItemId: 'pineapple-pizza', quantity: 1 }]), 'UNKNOWN_MENU_ITEM'],
    ['a JSON array body', [], 'VALIDATION_ERROR'],
    ['a JSON null body', null, 'VALIDATION_ERROR'],
  ];

  it.each(cases)('refuses %s with 400', async (_name, body, code) => {
    const colaBefore = await stockOf('cola');
    const res = await post(body);
    expect(res.status).toBe(400);
    const error = ErrorBody.parse(res.body);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
    expect(await stockOf('cola')).toBe(colaBefore);
  });

  it('names the offending field', async () => {
    const res = await post(validOrder([{ menuItemId: 'cola', quantity: 51 }]));
    const error = ErrorBody.parse(res.body);
    expect(error.issues?.[0]?.path).toBe('items.0.quantity');
    expect(error.message).toContain('items.0.quantity');
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await post('{"customer": ');
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(res.body).message).toMatch(/JSON/);
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const res = await post({ ...validOrder(), padding: 'x'.repeat(70 * 1024) });
    expect(res.status).toBe(413);
    expect(ErrorBody.parse(res.body).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a non-JSON content type with 415', async () => {
    const res = await fetch(`${app.url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(res.status).toBe(415);
    expect(ErrorBody.parse(await res.json())).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('"text/plain"') });
  });

  it('says which item is short of stock and takes nothing', async () => {
    const tiramisu = await stockOf('tiramisu');
    const cola = await stockOf('cola');
    // 50 per line max: ask for more tiramisu than is left by ordering it with a full cola line first
    const lines = [{ menuItemId: 'cola', quantity: 2 }, { menuItemId: 'tiramisu', quantity: 50 }];
    for (let left = tiramisu; left >= 50; left -= 50) expect((await post(validOrder([{ menuItemId: 'tiramisu', quantity: 50 }]))).status).toBe(201);
    const remaining = await stockOf('tiramisu');
    const res = await post(validOrder(lines));
    expect(res.status).toBe(400);
    const error = ErrorBody.parse(res.body);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_STOCK', menuItemId: 'tiramisu', available: remaining });
    expect(error.message).toContain('Tiramisu');
    expect(await stockOf('cola')).toBe(cola);
    expect(await stockOf('tiramisu')).toBe(remaining);
  });

  it('finds an order by its id spelled in capitals', async () => {
    const { body } = await post(validOrder());
    const order = Order.parse(body);
    expect((await get(`/api/v1/orders/${order.id.toUpperCase()}`)).status).toBe(200);
  });

  it.each(['not-a-uuid', '00000000-0000-4000-8000-000000000000', "1' OR '1'='1", '%00', 'x'.repeat(300)])('answers 404 for order id %s', async (id) => {
    const res = await get(`/api/v1/orders/${encodeURIComponent(id)}`);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(res.body).code).toBe('NOT_FOUND');
  });

  it.each([
    ['DELETE', '/api/v1/orders', 'POST'],
    ['PUT', '/api/v1/menu/cola', 'GET, HEAD'],
    ['PATCH', '/api/trpc/menu.list', 'GET, POST'],
    ['POST', '/api/v1/health', 'GET, HEAD'],
    ['DELETE', '/metrics', 'GET, HEAD'],
    ['POST', '/api/v1/health/services', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await fetch(`${app.url}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    if (method !== 'HEAD') expect(ErrorBody.parse(await res.json()).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('survives request targets no URL parser accepts', async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = createConnection({ port: app.port, host: '127.0.0.1' }, () => socket.end(request));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
      });
    expect(await raw('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw('GET //@ HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${app.url}/%E0`)).status).toBe(404);
    expect((await fetch(`${app.url}/api/v1/health`)).status).toBe(200); // still up
  });

  it('answers HEAD like GET, without a body', async () => {
    expect((await fetch(`${app.url}/api/v1/menu/cola`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${app.url}/api/v1/menu/no-such-item`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${app.url}/api/v1/health/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('answers 404 with a JSON body for an unknown route', async () => {
    const res = await get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(ErrorBody.safeParse(res.body).success).toBe(true);
  });
});

describe('Idempotency-Key', () => {
  it('returns the same order for the same key and body, taking stock once', async () => {
    const before = await stockOf('hawaiian');
    const body = validOrder([{ menuItemId: 'hawaiian', quantity: 3 }]);
    const first = await post(body, { 'idempotency-key': 'retry-1' });
    const second = await post(body, { 'idempotency-key': 'retry-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(Order.parse(second.body).id).toBe(Order.parse(first.body).id);
    expect(await stockOf('hawaiian')).toBe(before - 3);
  });

  it('creates exactly one order when identical keyed requests race', async () => {
    const before = await stockOf('sparkling-water');
    const body = validOrder([{ menuItemId: 'sparkling-water', quantity: 4 }]);
    const results = await Promise.all(Array.from({ length: 12 }, () => post(body, { 'idempotency-key': 'race-7' })));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(results.map((r) => Order.parse(r.body).id)).size).toBe(1);
    expect(await stockOf('sparkling-water')).toBe(before - 4);
  });

  it('answers 409 for the same key with another body', async () => {
    await post(validOrder([{ menuItemId: 'cola', quantity: 1 }]), { 'idempotency-key': 'conflict-1' });
    const res = await post(validOrder([{ menuItemId: 'cola', quantity: 2 }]), { 'idempotency-key': 'conflict-1' });
    expect(res.status).toBe(409);
    expect(ErrorBody.parse(res.body).code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('answers 409 for the same key from another customer, never their order', async () => {
    const first = await post(validOrder([{ menuItemId: 'cola', quantity: 1 }]), { 'idempotency-key': 'conflict-2' });
    const other = validOrder([{ menuItemId: 'cola', quantity: 1 }]);
    const res = await post({ ...other, customer: { ...other.customer, phone: '+1 555 0100 999' } }, { 'idempotency-key': 'conflict-2' });
    expect(first.status).toBe(201);
    expect(res.status).toBe(409);
    expect(ErrorBody.parse(res.body).code).toBe('IDEMPOTENCY_CONFLICT');
  });
});

// Unkeyed orders take a shorter path than keyed ones (which go through the OpenAPI adapter): same answers.
describe('with or without an Idempotency-Key, the same answers', () => {
  it('201: the same headers and the same Order shape', async () => {
    const plain = await post(validOrder([{ menuItemId: 'cola', quantity: 1 }]));
    const keyed = await post(validOrder([{ menuItemId: 'cola', quantity: 1 }]), { 'idempotency-key': 'same-shape-1' });
    expect([plain.status, keyed.status]).toEqual([201, 201]);
    expect(plain.headers.get('content-type')).toBe(keyed.headers.get('content-type'));
    expect(Object.keys(plain.body as object)).toEqual(Object.keys(keyed.body as object));
    const { id: _a, createdAt: _b, updatedAt: _c, history: _d, ...rest } = Order.parse(plain.body);
    const { id: _e, createdAt: _f, updatedAt: _g, history: _h, ...keyedRest } = Order.parse(keyed.body);
    expect(rest).toEqual(keyedRest);
  });

  async function expectSameError(items: { menuItemId: string; quantity: number }[], key: string) {
    const plain = await post(validOrder(items));
    const keyed = await post(validOrder(items), { 'idempotency-key': key });
    expect(plain.status).toBe(400);
    expect([plain.status, plain.headers.get('content-type'), plain.body]).toEqual([keyed.status, keyed.headers.get('content-type'), keyed.body]);
  }

  it('400 for an unknown item: the same status, content type and body', async () => {
    await expectSameError([{ menuItemId: 'no-such-pizza', quantity: 1 }], 'same-error-unknown');
  });

  it('400 for more than the stock: the same status, content type and body', async () => {
    // leave 10 tiramisu, then ask for 50
    for (let take = (await stockOf('tiramisu')) - 10; take > 0; take -= 50) {
      expect((await post(validOrder([{ menuItemId: 'tiramisu', quantity: Math.min(50, take) }]))).status).toBe(201);
    }
    await expectSameError([{ menuItemId: 'tiramisu', quantity: 50 }], 'same-error-stock');
  });
});

describe('the last pizzas', () => {
  it('60 concurrent orders for 7 left: exactly 7 succeed, stock ends at 0', async () => {
    // bring Lava Cake (150) down to exactly 7
    for (const quantity of [50, 50, 43]) expect((await post(validOrder([{ menuItemId: 'lava-cake', quantity }]))).status).toBe(201);
    expect(await stockOf('lava-cake')).toBe(7);
    const results = await Promise.all(
      Array.from({ length: 60 }, () => post(validOrder([{ menuItemId: 'lava-cake', quantity: 1 }]))),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 400);
    expect(created).toHaveLength(7);
    expect(refused).toHaveLength(53);
    for (const r of refused) {
      const error = ErrorBody.parse(r.body);
      expect(error.code).toBe('INSUFFICIENT_STOCK');
      expect(error.message).toContain('Lava Cake');
    }
    expect(await stockOf('lava-cake')).toBe(0);
  });
});

describe('OpenAPI and docs', () => {
  it('documents every REST route with request and response schemas', async () => {
    const { status, body } = await get('/api/v1/openapi.json');
    expect(status).toBe(200);
    const doc = body as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; parameters?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: [string, string][] = [
      ['/menu', 'get'],
      ['/menu/{id}', 'get'],
      ['/orders', 'post'],
      ['/orders/{id}', 'get'],
      ['/orders/{id}/events', 'get'],
      ['/health', 'get'],
      ['/health/liveness', 'get'],
      ['/health/readiness', 'get'],
      ['/health/services', 'get'],
    ];
    for (const [path, method] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.responses['200'] ?? op!.responses['201'], `${method} ${path} success response`).toBeDefined();
      expect(JSON.stringify(op!.responses)).toContain('schema');
    }
    expect(doc.paths['/orders']!.post!.requestBody!.content['application/json']!.schema).toBeDefined();
    expect(Object.keys(doc.paths['/orders']!.post!.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '413', '415']));
    expect(doc.paths['/orders']!.post!.responses['200']).toBeUndefined();
    expect(JSON.stringify(doc.paths['/orders']!.post)).toContain('idempotency-key');
    expect(doc.paths['/menu/{id}']!.get!.parameters).toHaveLength(1);
  });

  it('serves the AsyncAPI 3.0 document of the streams at /api/v1/asyncapi.json', async () => {
    const res = await fetch(`${app.url}/api/v1/asyncapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as { asyncapi: string; channels: Record<string, { address: string }> };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c) => c.address)).toContain('orders-stream');
    expect((await fetch(`${app.url}/api/v1/asyncapi.json`, { method: 'POST' })).status).toBe(405);
  });

  it('serves the interactive docs and their assets from this server', async () => {
    const page = await fetch(`${app.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    for (const asset of ['/api/docs/swagger-ui-bundle.js', '/api/docs/swagger-ui.css', '/api/docs/init.js']) {
      expect((await fetch(`${app.url}${asset}`)).status, asset).toBe(200);
    }
  });
});

describe('health and metrics', () => {
  it('reports storage and bus', async () => {
    const { status, body } = await get('/api/v1/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', checks: { storage: { status: 'ok' }, bus: { status: 'ok' } } });
    expect((await get('/api/v1/health/liveness')).status).toBe(200);
    // one process runs every service here
    const services = await get('/api/v1/health/services');
    expect(services.status).toBe(200);
    expect(services.body).toMatchObject({ services: [{ service: 'pizza-express', status: 'ok', checks: { storage: { status: 'ok' } } }] });
    expect((await get('/api/v1/health/readiness')).status).toBe(200);
  });

  it('labels HTTP metrics with route templates, not raw paths', async () => {
    await get('/api/v1/orders/00000000-0000-4000-8000-000000000001');
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/api\/v1\/orders\/\{id\}"[^}]*status_code="404"/);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).not.toContain('00000000-0000-4000-8000-000000000001');
    expect(text).not.toMatch(/route="\/metrics"/);
    expect(text).toMatch(/orders_created_total\{[^}]*\} [1-9]/);
    expect(text).toMatch(/orders_rejected_total\{[^}]*reason="insufficient_stock"/);
    expect(text).toMatch(/orders_rejected_total\{[^}]*reason="validation"[^}]*\} [1-9]/);
    expect(text).toMatch(/orders_rejected_total\{[^}]*reason="too_large"[^}]*\} [1-9]/);
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/api\/v1\/health"/);
    expect(text).not.toMatch(/route="unmatched"[^}]*status_code="200"/);
  });
});
