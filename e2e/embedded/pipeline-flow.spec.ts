import { expect, test } from '@playwright/test';

const customer = { name: 'Flow Watcher', phone: '+1 555 0142', address: '3 Diagram Drive' };
const NO_RATE = /^(–|0\.0)\/s/;

// The flow diagram on the dev tools page is drawn from the live snapshot: rates on its arrows move when orders flow.
test('the flow diagram shows rates that rise after orders are placed, with handler percentiles per group', async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  await page.goto('/dev');
  const flow = page.getByTestId('pipeline-flow');
  const ordersIn = flow.locator('[data-edge="stream/orders-stream/in"] [data-rate]');
  const deliveryIn = flow.locator('[data-edge="orders-stream/delivery-group/in"] [data-rate]');
  // orders placed by earlier tests may still be moving: wait for a quiet pipeline first
  await expect(ordersIn).toHaveText(NO_RATE, { timeout: 60_000 });
  await expect(flow.getByRole('img')).toHaveAccessibleName(/Event flow/);

  for (let i = 0; i < 6; i++) {
    const placed = await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: true } });
    expect(placed.status()).toBe(201);
  }
  await expect(ordersIn).not.toHaveText(NO_RATE);
  await expect(deliveryIn).not.toHaveText(NO_RATE);
  await expect(flow.locator('[data-node="producer/orders-stream"]')).toContainText('order-service');
  await expect(flow.locator('[data-node="orders-stream/delivery-group"]')).toContainText(/p50 [\d.]+ ms · p99 [\d.]+ ms/);
  await flow.screenshot({ path: testInfo.outputPath('pipeline-flow-desktop.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await flow.screenshot({ path: testInfo.outputPath('pipeline-flow-desktop-dark.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(flow.locator('[data-node="stream/orders-stream"]')).toBeVisible();
  await flow.screenshot({ path: testInfo.outputPath('pipeline-flow-phone.png') });
});
