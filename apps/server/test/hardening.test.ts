import { request } from 'node:http';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorBody, MenuItem, Order } from '@pizza/contracts';
import { startProcess, type AppProcess } from './app-process';

// Black-box: the all-in-one process against the inputs of the hardening review.
const SHOP = 'https://shop.example.com';
let app: AppProcess;
beforeAll(async () => {
  app = await startProcess('apps/server/src/main.ts', {
    SIM_CONFIRM_DELAY_MS: '60000',
    ALLOWED_ORIGINS: SHOP,
    HTTP_HEADERS_TIMEOUT_MS: '2000',
    HTTP_REQUEST_TIMEOUT_MS: '3000',
  });
});
afterAll(async () => {
  await app?.kill();
});

const customer = { name: 'Ada Lovelace', phone: '+44 20 7946 0000', address: '12 Analytical Row, London' };

async function placeOrder(): Promise<Order> {
  const res = await fetch(`${app.url}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false }),
  });
  expect(res.status).toBe(201);
  return Order.parse(await res.json());
}

describe('names that live on Object.prototype', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])('/api/docs/%s is a JSON 404', async (name) => {
    const res = await fetch(`${app.url}/api/docs/${name}`);
    expect(res.status).toBe(404);
    expect(ErrorBody.parse(await res.json()).code).toBe('NOT_FOUND');
  });

  it.each(['constructor', '__proto__', 'toString'])('/api/v1/menu/%s is 404 and a file of that extension never 500', async (name) => {
    expect((await fetch(`${app.url}/api/v1/menu/${name}`)).status).toBe(404);
    expect((await fetch(`${app.url}/assets/x.${name}`)).status).toBeLessThan(500);
  });
});

describe('percent-encoded path parameters', () => {
  it('reads /api/v1/menu/margherit%61 as margherita', async () => {
    const res = await fetch(`${app.url}/api/v1/menu/margherit%61`);
    expect(res.status).toBe(200);
    expect(MenuItem.parse(await res.json()).id).toBe('margherita');
  });

  it('reads an order id with an encoded character as the order, and encoded slashes as no order', async () => {
    const order = await placeOrder();
    const encoded = `%${order.id.charCodeAt(0).toString(16)}${order.id.slice(1)}`;
    const res = await fetch(`${app.url}/api/v1/orders/${encoded}`);
    expect(res.status).toBe(200);
    expect(Order.parse(await res.json()).id).toBe(order.id);
    expect((await fetch(`${app.url}/api/v1/menu/a%2Fb`)).status).toBe(404);
    expect((await fetch(`${app.url}/api/v1/menu/%zz`)).status).toBe(404);
    // an encoded dot segment is a name, not a way out of /api/v1
    expect((await fetch(`${app.url}/api/v1/%2e%2e/menu`)).status).toBe(404);
  });
});

describe('deeply nested JSON bodies', () => {
  const deepArray = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  const deepObject = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
  it.each([
    ['POST', '/api/v1/orders', deepArray],
    ['PUT', '/api/v1/admin/menu/cola/stock', deepObject],
    ['POST', '/api/v1/admin/load', deepArray],
    ['POST', '/api/trpc/orders.create', deepArray],
  ])('%s %s with 5,000 levels of nesting is a JSON 400', async (method, path, body) => {
    const res = await fetch(`${app.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    const text = await res.text();
    const json = JSON.parse(text) as { code?: string; error?: { data?: { appCode?: string } } };
    expect(json.code ?? json.error?.data?.appCode).toBe('VALIDATION_ERROR');
  });

  it('takes brackets inside strings as text, not nesting', async () => {
    const res = await fetch(`${app.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: { ...customer, address: `${'['.repeat(100)} Row` }, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false }),
    });
    expect(res.status).not.toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain('levels deep');
  });
});

describe('requests node cannot parse', () => {
  /** Sends with node's client, which fails on a response that breaks HTTP (e.g. a body after a HEAD answer). */
  const send = (method: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: app.port, method, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', reject);
      req.end();
    });
  const tooLong = `/api/v1/menu?x=${'a'.repeat(20_000)}`;

  it('answers a request line over the header limit with a JSON 400', async () => {
    const res = await send('GET', tooLong);
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(JSON.parse(res.body)).code).toBe('VALIDATION_ERROR');
  });

  it('answers the same HEAD request with a 400 and no body', async () => {
    expect(await send('HEAD', tooLong)).toEqual({ status: 400, body: '' });
  });
});

describe('upper-case order ids', () => {
  it('follows an order by its upper-case id over SSE and the tracking socket, as GET /api/v1/orders/{id} reads it', async () => {
    const order = await placeOrder();
    const upper = order.id.toUpperCase();
    expect((await fetch(`${app.url}/api/v1/orders/${upper}`)).status).toBe(200);

    const abort = new AbortController();
    const sse = await fetch(`${app.url}/api/v1/orders/${upper}/events`, { signal: abort.signal });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    let text = '';
    const started = Date.now();
    while (!text.includes('\n\n') && Date.now() - started < 10_000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    expect(text).toContain(`"orderId":"${order.id}"`);

    const first = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws/v1/order-tracking/${upper}`);
      const timer = setTimeout(() => (ws.terminate(), reject(new Error('no message within 10 s'))), 10_000);
      ws.once('message', (data: Buffer) => (clearTimeout(timer), ws.close(), resolve(data.toString())));
      ws.once('close', (code) => (clearTimeout(timer), reject(new Error(`closed ${code}`))));
      ws.once('error', reject);
    });
    expect(JSON.parse(first)).toMatchObject({ orderId: order.id, status: 'created' });
  });
});

/** Opens a socket with the given Origin; resolves with the HTTP status of a refusal, or 101 when it opened. */
function upgradeStatus(path: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}${path}`, origin ? { origin } : {});
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', (error) => reject(error));
  });
}

describe('WebSocket Origin check (ALLOWED_ORIGINS set)', () => {
  it.each(['/ws/v1/trpc', '/ws/v1/order-tracking/00000000-0000-4000-8000-000000000000'])(
    '%s: the own origin, a listed origin and a non-browser client open; others get 403 before the upgrade',
    async (path) => {
      expect(await upgradeStatus(path, app.url)).toBe(101);
      expect(await upgradeStatus(path, SHOP)).toBe(101);
      expect(await upgradeStatus(path)).toBe(101);
      expect(await upgradeStatus(path, 'https://evil.example.com')).toBe(403);
      expect(await upgradeStatus(path, 'http://localhost:5173')).toBe(403); // localhost only while the list is unset
      expect(await upgradeStatus(path, 'null')).toBe(403);
    },
  );
});

describe('tRPC socket limits', () => {
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws/v1/trpc`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

  it('closes a connection that sends a frame over 8 KiB (1009)', async () => {
    const ws = await open();
    const code = closed(ws);
    ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path: 'orders.track', input: { orderId: 'x'.repeat(9000) } } }));
    expect(await code).toBe(1009);
  });

  it('cuts off a connection that opens an 11th subscription (1008) and counts it', async () => {
    const order = await placeOrder();
    const ws = await open();
    const code = closed(ws);
    for (let id = 1; id <= 11; id++) {
      ws.send(JSON.stringify({ id, method: 'subscription', params: { path: 'orders.track', input: { orderId: order.id } } }));
    }
    expect(await code).toBe(1008);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/ws_connections_dropped_total\{[^}]*transport="trpc"[^}]*reason="subscriptions"[^}]*\} 1/);
  });

  it('counts menu.stock subscriptions in the same cap: 10 of them and one order track get 1008', async () => {
    const order = await placeOrder();
    const ws = await open();
    const code = closed(ws);
    for (let id = 1; id <= 10; id++) ws.send(JSON.stringify({ id, method: 'subscription', params: { path: 'menu.stock' } }));
    ws.send(JSON.stringify({ id: 11, method: 'subscription', params: { path: 'orders.track', input: { orderId: order.id } } }));
    expect(await code).toBe(1008);
  });

  it('keeps ten subscriptions on one connection', async () => {
    const order = await placeOrder();
    const ws = await open();
    const answered = new Set<number>();
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: { type?: string } };
      if (message.id !== undefined && message.result?.type === 'data') answered.add(message.id);
    });
    for (let id = 1; id <= 10; id++) {
      ws.send(JSON.stringify({ id, method: 'subscription', params: { path: 'orders.track', input: { orderId: order.id } } }));
    }
    const deadline = Date.now() + 30_000;
    while (answered.size < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(answered.size).toBe(10);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});

/** Sends `parts` one per `everyMs`, then stalls; resolves with the reply and when the server closed. */
function trickle(parts: string[], everyMs: number) {
  return new Promise<{ reply: string; closedAfterMs: number }>((resolve, reject) => {
    const started = Date.now();
    const socket = createConnection({ host: '127.0.0.1', port: app.port });
    let reply = '';
    const timers = parts.map((part, i) => setTimeout(() => socket.write(part), i * everyMs));
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 30 s; got ${JSON.stringify(reply)}`));
    }, 30_000);
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      timers.forEach(clearTimeout);
      clearTimeout(deadline);
      resolve({ reply, closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow clients (HTTP_HEADERS_TIMEOUT_MS=2000, HTTP_REQUEST_TIMEOUT_MS=3000 here)', () => {
  it('answers 408 and closes when the headers or the body trickle in', async () => {
    const stockBefore = MenuItem.parse(await (await fetch(`${app.url}/api/v1/menu/cola`)).json()).stock;
    const body = JSON.stringify({ customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false });
    const [headers, upload] = await Promise.all([
      trickle(['GET /api/v1/menu HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 1\r\n', 'X-C: 1\r\n', 'X-D: 1\r\n'], 700),
      trickle(
        [
          `POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          ...body.slice(0, -1).match(/.{1,8}/g)!,
        ],
        700,
      ),
    ]);
    for (const { reply, closedAfterMs } of [headers, upload]) {
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(closedAfterMs).toBeLessThan(15_000);
    }
    // the cut-off order took nothing
    expect(MenuItem.parse(await (await fetch(`${app.url}/api/v1/menu/cola`)).json()).stock).toBe(stockBefore);
  }, 60_000);
});
