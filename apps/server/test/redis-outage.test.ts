import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Order } from '@pizza/contracts';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { eventually, startProcess, type AppProcess } from './app-process';

// The all-in-one process on Redis Streams, with Redis taken away for a few seconds.
let redis: RedisServer;
let app: AppProcess;
beforeAll(async () => {
  redis = await startRedisServer();
  app = await startProcess('apps/server/src/main.ts', {
    REDIS_URL: redis.url,
    SIM_CONFIRM_DELAY_MS: '20',
    SIM_PREPARE_DELAY_MS: '20',
    SIM_PICKUP_DELAY_MS: '20',
    SIM_TRANSIT_DELAY_MS: '20',
    STREAM_CLAIM_IDLE_MS: '1000',
  });
});
afterAll(async () => {
  await app?.kill();
  await redis?.stop();
});

const health = async () => {
  const res = await fetch(`${app.url}/api/v1/health`);
  return { status: res.status, body: (await res.json()) as { checks: Record<string, { status: string }> } };
};
const order = async () => {
  const res = await fetch(`${app.url}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer: { name: 'Out Age', phone: '+1 555 0404', address: '404 Redis Road' }, items: [{ menuItemId: 'cola', quantity: 1 }] }),
  });
  return { status: res.status, order: res.status === 201 ? Order.parse(await res.json()) : null };
};

describe('Redis down for a few seconds', () => {
  it('keeps taking orders, reports 503 naming the bus, and delivers every order after recovery', async () => {
    expect((await health()).status).toBe(200);
    await redis.stop();

    const down = await eventually(health, (h) => h.status === 503);
    expect(down.body.checks.bus?.status).toBe('error');
    expect(down.body.checks.storage?.status).toBe('ok');

    // orders still commit: their events wait in the outbox
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(await order());
    expect(placed.map((p) => p.status)).toEqual([201, 201, 201, 201, 201]);

    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    await eventually(health, (h) => h.status === 200, 30_000);

    for (const { order: o } of placed) {
      const done = await eventually(
        async () => Order.parse(await (await fetch(`${app.url}/api/v1/orders/${o!.id}`)).json()),
        (x) => x.status === 'delivered',
        60_000,
      );
      expect(done.history.map((h) => h.status)).toEqual(['created', 'confirmed', 'preparing', 'out_for_delivery', 'delivered']);
    }
  });
});
