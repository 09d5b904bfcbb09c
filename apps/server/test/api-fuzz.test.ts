import { request } from 'node:http';
import { createConnection } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MENU_SEED, MenuItem, Order } from '@pizza/contracts';
import { startProcess, type AppProcess } from './app-process';

/**
 * Property-based fuzzing of the REST and tRPC HTTP surface of the all-in-one process: random
 * methods, paths, encodings, headers, bodies and sizes, plus uploads cut off mid-body. Every answer
 * is below 500; every error is JSON with `code` and `message`; stock moves only by the orders that
 * were created. CI runs a fixed-seed slice; `pnpm --filter @pizza/server fuzz` runs a long one
 * (FUZZ_RUNS, FUZZ_SEED).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);

let app: AppProcess;
let stockBefore: Map<string, number>;
/** Every order a 201 answered, by id (a replayed key answers an order already counted). */
const created = new Map<string, Order>();

beforeAll(async () => {
  app = await startProcess('apps/server/src/main.ts', { SIM_CONFIRM_DELAY_MS: '600000', LOG_LEVEL: 'fatal' });
  stockBefore = await stocks();
});
afterAll(async () => {
  await app?.kill();
});

async function stocks(): Promise<Map<string, number>> {
  const menu = MenuItem.array().parse(await (await fetch(`${app.url}/api/v1/menu`)).json());
  return new Map(menu.map((item) => [item.id, item.stock]));
}

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(c: Case): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: app.port, method: c.method, path: c.path, headers: c.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer within 30 s to ${c.method} ${c.path}`)));
    req.on('error', reject);
    req.end(c.body);
  });
}

// ---------------------------------------------------------------------------------- arbitraries

const menuIds = MENU_SEED.map((item) => item.id);
const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', '..', '.', '%', '%00', '%2F', '%zz', '%ff', '', ' ', 'null', 'undefined', 'NaN'),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.uuid(),
);
const menuItemId = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...menuIds) }, { weight: 1, arbitrary: junk });
const quantity = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 51, 1.5, '1', null, true, Infinity, Number.MAX_SAFE_INTEGER + 2) },
);
const validCustomer = fc.record({
  name: fc.constantFrom('Ada', 'Grace Hopper', '  Linus  ', 'Zoë'),
  phone: fc.constantFrom('+44 20 7946 0000', '020-7946-0001', '(555) 123456'),
  address: fc.constantFrom('12 Analytical Row', '1 Pizza Street, London'),
});
const customer = fc.oneof(
  { weight: 4, arbitrary: validCustomer },
  { weight: 1, arbitrary: fc.record({ name: fc.string({ maxLength: 120 }), phone: fc.string({ maxLength: 30 }), address: fc.string({ maxLength: 320 }) }) },
  { weight: 1, arbitrary: fc.anything() },
);
const orderBody = fc
  .record(
    {
      customer,
      items: fc.oneof(
        { weight: 5, arbitrary: fc.array(fc.record({ menuItemId, quantity }), { minLength: 1, maxLength: 3 }) },
        { weight: 1, arbitrary: fc.array(fc.record({ menuItemId, quantity }), { maxLength: 25 }) },
        { weight: 1, arbitrary: fc.anything() },
      ),
      simulate: fc.constantFrom<unknown>(false, false, false, 'yes', null),
      extra: fc.anything(),
    },
    { requiredKeys: ['customer', 'items', 'simulate'] },
  )
  .map((body) => body as Record<string, unknown>);

const jsonText = fc.oneof(
  { weight: 6, arbitrary: orderBody.map((body) => JSON.stringify(body)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', 'null', '{"customer":', '\uFEFF{}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}') },
  // nesting from shallow to far past what a stack can walk (still under 64 KiB)
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['{"items":[', ']}'])).map(
      ([depth, [open, close]]) => `${open!.repeat(depth)}${open === '[' ? '' : '1'}${close!.repeat(depth)}`,
    ),
  },
);
const body = fc.oneof(
  { weight: 8, arbitrary: jsonText.map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  // around the 64 KiB limit
  { weight: 1, arbitrary: fc.integer({ min: 64 * 1024 - 40, max: 64 * 1024 + 40 }).map((size) => Buffer.from(`{"pad":"${'x'.repeat(Math.max(0, size - 10))}"}`)) },
);

const segment = fc.oneof(
  fc.constantFrom('menu', 'orders', 'openapi.json', 'health', 'docs', 'trpc', 'v1', 'api', 'MENU', 'Orders'),
  junk.map((s) => encodeURIComponent(s)),
  fc.constantFrom('margherit%61', '%6Frders', '%2e%2e', '%2E', '..', '.', '', '%25', 'menu%2Fmargherita'),
);
const restPath = fc.oneof(
  fc.constantFrom('/api/v1/menu', '/api/v1/orders', '/api/v1/orders/', '/api/v1/openapi.json', '/api/v1/health', '/api/docs', '/api/docs/init.js'),
  fc.tuple(fc.constantFrom('/api/v1/menu/', '/api/v1/orders/', '/api/docs/', '/api/v1/', '/api/'), segment).map(([a, b]) => a + b),
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/api/${parts.join('/')}`),
  fc.constantFrom('//api/v1/menu', '/api/./v1/menu', '/api/v1/x/../orders', '/api/v1/menu?x=%zz', '/api/v1/menu/margherita?__proto__=1'),
);
const trpcPath = fc.oneof(
  fc.tuple(fc.constantFrom('menu.list', 'menu.byId', 'orders.byId', 'orders.create', 'health', 'orders.track', 'nope', 'menu.list,orders.byId', '__proto__', 'constructor'), fc.option(jsonText, { nil: undefined }), fc.boolean()).map(
    ([name, input, batch]) => {
      const query = [batch ? 'batch=1' : '', input !== undefined ? `input=${encodeURIComponent(batch ? `{"0":${input}}` : input)}` : ''].filter(Boolean).join('&');
      return `/api/trpc/${name}${query ? `?${query}` : ''}`;
    },
  ),
  segment.map((s) => `/api/trpc/${s}`),
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');
const headers = fc
  .record(
    {
      'content-type': contentType,
      'idempotency-key': fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,40}$/), fc.constantFrom('a', 'same-key', '__proto__', 'x'.repeat(300))),
      accept: fc.constantFrom('application/json', '*/*', 'text/html', 'text/event-stream'),
      'x-request-id': fc.stringMatching(/^[\x21-\x7e]{0,140}$/),
      'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
      'trpc-accept': fc.constantFrom('application/jsonl'),
    },
    { requiredKeys: [] },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== '')) as Record<string, string>);
const method = fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');

const anyCase: fc.Arbitrary<Case> = fc
  .record({ method, path: fc.oneof(restPath, trpcPath), headers, body: fc.option(body, { nil: undefined }) })
  .map((c) => (c.method === 'GET' || c.method === 'HEAD' ? { ...c, body: undefined } : c));
/** Mostly well-formed order placements (REST and tRPC), so the create path and the stock rule are exercised. */
const orderCase: fc.Arbitrary<Case> = fc.record({
  method: fc.constant('POST'),
  path: fc.constantFrom('/api/v1/orders', '/api/v1/orders/', '/api/trpc/orders.create', '/api/v1/%6Frders'),
  headers: fc.record(
    { 'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8'), 'idempotency-key': fc.constantFrom('k1', 'k2', 'k3') },
    { requiredKeys: ['content-type'] },
  ),
  body: orderBody.map((b) => Buffer.from(JSON.stringify(b))),
});
const httpCase = fc.oneof({ weight: 3, arbitrary: anyCase }, { weight: 1, arbitrary: orderCase });

// ---------------------------------------------------------------------------------- checks

function check(c: Case, reply: Reply): void {
  const label = `${c.method} ${c.path} → ${reply.status} ${reply.body.toString('utf8', 0, 200)}`;
  expect(reply.status, label).toBeGreaterThanOrEqual(200);
  expect(reply.status, label).toBeLessThan(500);
  if (reply.status >= 400 && c.method !== 'HEAD') {
    expect(String(reply.headers['content-type']), label).toMatch(/^application\/json/);
    const parsed = JSON.parse(reply.body.toString('utf8')) as unknown;
    // a tRPC batch answers an array of errors; each has the app code in data
    const errors = Array.isArray(parsed) ? parsed.map((e: { error?: unknown }) => e.error ?? e) : [parsed];
    for (const error of errors as Record<string, unknown>[]) {
      const trpc = error.error as { message?: unknown; data?: { appCode?: unknown } } | undefined;
      const code = trpc ? trpc.data?.appCode : (error.data as { appCode?: unknown } | undefined)?.appCode ?? error.code;
      const message = trpc ? trpc.message : error.message;
      expect(typeof code, label).toBe('string');
      expect(typeof message, label).toBe('string');
    }
  }
  if (c.method === 'POST' && reply.status < 300 && /^application\/json/.test(String(reply.headers['content-type']))) {
    // whatever spelling of the path placed it (REST 201, tRPC 200, batches): every order answered is counted
    const json = JSON.parse(reply.body.toString('utf8')) as unknown;
    const results = (Array.isArray(json) ? json : [json]) as { result?: { data?: unknown } }[];
    for (const result of results) {
      const order = Order.safeParse(result.result?.data ?? result);
      if (order.success) created.set(order.data.id, order.data);
    }
  }
}

/** Sends the headers and part of the body, then drops the connection. */
function cutOff(c: Case & { body: Buffer }, keep: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: app.port });
    const head = [`${c.method} ${c.path} HTTP/1.1`, 'Host: fuzz', `Content-Length: ${c.body.length}`, ...Object.entries(c.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.write(head);
    socket.write(c.body.subarray(0, Math.min(keep, c.body.length - 1)), () => setTimeout(() => socket.destroy(), 5));
  });
}

describe(`API fuzz (fast-check, seed ${SEED})`, () => {
  it(`${RUNS} random requests to the REST and tRPC HTTP surface: never 5xx, errors are JSON with code and message`, async () => {
    await fc.assert(
      fc.asyncProperty(httpCase, async (c) => {
        check(c, await send(c));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);

  it(`${Math.ceil(RUNS / 10)} uploads cut off mid-body leave the process answering and take no stock`, async () => {
    const upload = fc.record({
      method: fc.constantFrom('POST', 'PUT'),
      path: fc.constantFrom('/api/v1/orders', '/api/trpc/orders.create', '/api/v1/orders/'),
      headers: fc.constant({ 'content-type': 'application/json' }),
      body: orderBody.map((b) => Buffer.from(JSON.stringify(b))),
    });
    await fc.assert(
      fc.asyncProperty(upload, fc.nat(), async (c, keep) => {
        await cutOff(c, keep % c.body.length);
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 10) },
    );
    expect((await fetch(`${app.url}/api/v1/health`)).status).toBe(200);
  }, 600_000);

  it('stock moved only by the orders that were created', async () => {
    const taken = new Map<string, number>();
    for (const order of created.values()) for (const line of order.items) taken.set(line.menuItemId, (taken.get(line.menuItemId) ?? 0) + line.quantity);
    const after = await stocks();
    for (const [id, before] of stockBefore) expect(after.get(id), id).toBe(before - (taken.get(id) ?? 0));
    expect(created.size).toBeGreaterThan(0); // the property reached the create path, not only errors
  });
});
