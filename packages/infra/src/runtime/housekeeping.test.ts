import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createSqliteStorage } from '../storage/sqlite-storage';
import { IDEMPOTENCY_WINDOW_MS, type PlaceOrderRequest } from '../storage/storage-port';
import { startHousekeeping } from './housekeeping';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const order = (key: string, at: Date): PlaceOrderRequest => ({
  command: {
    customer: { name: 'Ada', phone: '+44 20 7946 0000', address: '1 Pizza Street' },
    items: [{ menuItemId: 'margherita', quantity: 1 }],
    simulate: false,
  },
  orderId: randomUUID(),
  now: at.toISOString(),
  events: () => [],
  idempotency: { key, fingerprint: 'body', since: new Date(at.getTime() - IDEMPOTENCY_WINDOW_MS).toISOString() },
});

it('prunes Idempotency-Keys older than the 24 h window on its round, and keeps the recent ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pizza-housekeeping-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const storage = createSqliteStorage(join(dir, 'pizza.db'));
  await storage.init();
  cleanups.push(() => storage.close());
  await storage.placeOrder(order('old', new Date(Date.now() - IDEMPOTENCY_WINDOW_MS - 60_000)));
  const recent = await storage.placeOrder(order('recent', new Date()));

  let logged = '';
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => ((logged += chunk.toString()), done()) }));
  cleanups.push(startHousekeeping({ storage, logger, intervalMs: 50 }));
  await expect.poll(() => logged, { timeout: 20_000, interval: 50 }).toContain('pruned expired Idempotency-Keys');

  expect(logged).toContain('"idempotencyKeys":1');
  // already gone: nothing left before the cutoff
  expect(await storage.pruneIdempotencyKeys(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString())).toBe(0);
  // the recent key still replays its order
  expect(await storage.placeOrder(order('recent', new Date()))).toEqual({ kind: 'replayed', order: recent.order });
});
