import { expect, test } from '@playwright/test';
import { DeadLetterPage } from '@pizza/contracts';

const customer = { name: 'Control Room', phone: '+1 555 0199', address: '9 Operator Lane' };

// The live pipeline on the dev tools page, fed by the admin.pipeline subscription (loopback, no token).
test('the dev tools page shows the live pipeline; dead letters from a failure fault appear and go after a redrive, without reloading', async ({ page, request }, testInfo) => {
  await page.goto('/dev');
  const pipeline = page.getByTestId('pipeline');
  await expect(pipeline).toHaveAttribute('data-feed', 'live');
  await expect(pipeline.locator('tr[data-stream="orders-stream"][data-group="delivery-group"]')).toBeVisible();
  const count = page.getByTestId('dead-letter-count');
  await expect(count).toHaveText('0 dead letters');

  expect((await request.put('/api/v1/admin/faults/consumer-failure', { data: { group: 'delivery-group', rate: 1, ttlSeconds: 120 } })).status()).toBe(200);
  const placed = await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false } });
  expect(placed.status()).toBe(201);
  await expect(count).not.toHaveText('0 dead letters', { timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('control-room-dead-letters.png'), fullPage: true });

  expect((await request.delete('/api/v1/admin/faults/consumer-failure')).status()).toBe(204);
  const { items } = DeadLetterPage.parse(await (await request.get('/api/v1/admin/dead-letters?group=delivery-group')).json());
  for (const item of items) expect((await request.post(`/api/v1/admin/dead-letters/${item.id}/redrive`, { data: {} })).status()).toBe(200);
  await expect(count).toHaveText('0 dead letters', { timeout: 30_000 });
});
