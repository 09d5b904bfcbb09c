import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterPage, ErrorBody, Fault, Order } from '@pizza/contracts';
import { eventually, startProcess, type AppProcess } from './app-process';
import { jsonCall } from './json-call';

// Black-box: faults switched on through the operations API change what the real pipeline does,
// and the system recovers once they end.
let app: AppProcess;
beforeAll(async () => {
  app = await startProcess('apps/server/src/main.ts', {
    SIM_CONFIRM_DELAY_MS: '20',
    SIM_PREPARE_DELAY_MS: '20',
    SIM_PICKUP_DELAY_MS: '20',
    SIM_TRANSIT_DELAY_MS: '20',
    STREAM_CLAIM_IDLE_MS: '200',
  });
});
afterAll(async () => {
  await app?.kill();
});

const call = (path: string, options: Parameters<typeof jsonCall>[2] = {}) => jsonCall(app.url, path, options);
const placeOrder = async () => {
  const { status, body } = await call('/api/v1/orders', {
    method: 'POST',
    body: { customer: { name: 'Fault Line', phone: '+1 555 0110', address: '5 Chaos Street' }, items: [{ menuItemId: 'margherita', quantity: 1 }], simulate: true },
  });
  expect(status).toBe(201);
  return Order.parse(body);
};
const deadLetters = async () => DeadLetterPage.parse((await call('/api/v1/admin/dead-letters?group=delivery-group&limit=500')).body).items;

describe('faults', () => {
  it('refuses bad fault input with 400 naming the field', async () => {
    const cases = [
      ['/api/v1/admin/faults/consumer-failure', { group: 'delivery-group', rate: 2 }, 'rate'],
      ['/api/v1/admin/faults/consumer-failure', { rate: 0.5 }, 'group'],
      ['/api/v1/admin/faults/consumer-delay', { group: 'delivery-group', delayMs: 60_001 }, 'delayMs'],
      ['/api/v1/admin/faults/bus-outage', { seconds: 61 }, 'seconds'],
      ['/api/v1/admin/faults/push-delay', { delayMs: 10, ttlSeconds: 3601 }, 'ttlSeconds'],
      ['/api/v1/admin/faults/kitchen-fire', {}, 'name'],
    ] as const;
    for (const [path, body, field] of cases) {
      const res = await call(path, { method: 'PUT', body });
      expect(res.status, `${path} ${field}`).toBe(400);
      expect(ErrorBody.parse(res.body).message, path).toContain(field);
    }
    expect((await call('/api/v1/admin/faults')).body).toEqual([]);
  });

  it('a fault with a TTL ends by itself', async () => {
    const on = await call('/api/v1/admin/faults/push-delay', { method: 'PUT', body: { delayMs: 1, ttlSeconds: 5 } });
    expect(on.status).toBe(200);
    expect(Fault.parse(on.body)).toMatchObject({ name: 'push-delay', params: { delayMs: 1 } });
    expect(Fault.array().parse((await call('/api/v1/admin/faults')).body).map((f) => f.name)).toEqual(['push-delay']);
    await eventually(async () => (await call('/api/v1/admin/faults')).body, (faults) => Array.isArray(faults) && faults.length === 0, 20_000);
  });

  it('consumer-failure 1.0 on delivery-group piles orders up as dead letters; fault off, redrive all: every order delivered, one delivery each', async () => {
    const on = await call('/api/v1/admin/faults/consumer-failure', { method: 'PUT', body: { group: 'delivery-group', rate: 1, ttlSeconds: 300 } });
    expect(on.status).toBe(200);
    const orders = [await placeOrder(), await placeOrder()];
    const ids = new Set(orders.map((o) => o.id));

    const piled = await eventually(deadLetters, (items) => orders.every((o) => items.some((i) => (i.envelope as { orderId?: string }).orderId === o.id)), 60_000);
    expect(piled.every((i) => i.error.includes('consumer-failure'))).toBe(true);
    for (const order of orders) expect(Order.parse((await call(`/api/v1/orders/${order.id}`)).body).status).not.toBe('delivered');

    expect((await call('/api/v1/admin/faults/consumer-failure', { method: 'DELETE' })).status).toBe(204);
    expect((await call('/api/v1/admin/faults')).body).toEqual([]);

    // redrive every dead letter of these orders until all are delivered (events dead-lettered
    // while the fault was still being lifted are redriven on the next pass)
    const delivered = await eventually(
      async () => {
        for (const item of await deadLetters()) {
          if (!ids.has((item.envelope as { orderId?: string }).orderId ?? '')) continue;
          const res = await call(`/api/v1/admin/dead-letters/${item.id}/redrive`, { method: 'POST', body: {} });
          expect([200, 404]).toContain(res.status);
        }
        return Promise.all(orders.map(async (o) => Order.parse((await call(`/api/v1/orders/${o.id}`)).body)));
      },
      (now) => now.every((o) => o.status === 'delivered' && o.delivery?.status === 'delivered'),
      90_000,
    );
    expect(new Set(delivered.map((o) => o.delivery!.id)).size).toBe(orders.length);
    expect((await deadLetters()).filter((i) => ids.has((i.envelope as { orderId?: string }).orderId ?? ''))).toEqual([]);
  });
});
