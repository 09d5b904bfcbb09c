import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { ErrorBody, Order } from '@pizza/contracts';
import { startMongoServer, type MongoServer } from '@pizza/infra/testing';
import { eventually, startProcess, tempDatabaseUrl, type AppProcess } from './app-process';

// Order placement when the store cannot take it: 503, Retry-After and a JSON body, never a 500.
const customer = { name: 'Ada Lovelace', phone: '+44 20 7946 0000', address: '12 Analytical Row, London' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function post(app: AppProcess, idempotencyKey?: string) {
  const res = await fetch(`${app.url}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify({ customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as unknown };
}

function expectUnavailable(reply: Awaited<ReturnType<typeof post>>) {
  expect(reply.status).toBe(503);
  expect(reply.retryAfter).toBe('5');
  const body = ErrorBody.parse(reply.body);
  expect(body.code).toBe('SERVICE_UNAVAILABLE');
  expect(body.message).not.toMatch(/sqlite|mongo|127\.0\.0\.1|SQLITE_/i); // the driver's words stay in the log
}

it('SQLite: an order while another writer holds the database past busy_timeout gets 503, then 201 once it lets go', async () => {
  const databaseUrl = tempDatabaseUrl();
  const app = await startProcess('apps/server/src/main.ts', { DATABASE_URL: databaseUrl });
  cleanups.push(() => app.kill());
  expect((await post(app)).status).toBe(201);

  const blocker = new Database(databaseUrl.slice('sqlite:'.length));
  cleanups.push(async () => void (blocker.open && blocker.close()));
  // the app writes in the background too (relay, simulator): wait for the lock rather than fail on it
  blocker.pragma('busy_timeout = 30000');
  blocker.exec('BEGIN IMMEDIATE'); // the write lock, held until COMMIT
  const [plain, keyed] = await Promise.all([post(app), post(app, 'outage-key')]); // fast path and adapter path
  expectUnavailable(plain);
  expectUnavailable(keyed);
  blocker.exec('COMMIT');
  expect((await post(app, 'outage-key')).status).toBe(201);
}, 90_000);

it('MongoDB: an order after the server stopped gets 503 with Retry-After', async () => {
  const mongo: MongoServer = await startMongoServer(`outage-${process.pid}`);
  cleanups.push(() => mongo.stop());
  const app = await startProcess('apps/server/src/main.ts', { DATABASE_URL: mongo.url });
  cleanups.push(() => app.kill());
  const placed = await post(app);
  expect(placed.status).toBe(201);
  Order.parse(placed.body);

  await mongo.stop();
  const [plain, keyed] = await Promise.all([post(app), post(app, 'outage-key')]);
  expectUnavailable(plain);
  expectUnavailable(keyed);
  // the log line crosses a pipe: it may arrive after the answer did
  await eventually(async () => app.output(), (out) => /order not placed: storage unavailable/.test(out), 30_000);
}, 90_000);
