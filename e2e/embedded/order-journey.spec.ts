import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { Order } from '@pizza/contracts';

const customer = { name: 'Journey Watcher', phone: '+1 555 0177', address: '3 Hop Road' };
const KINDS = ['http', 'commit', 'publish', 'process', 'push'] as const;

/** axe on the journey panel alone: no serious or critical violation. */
async function auditPanel(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include('[data-testid="order-journey"]').analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// The simulator's first step of the order waits this long (a consumer-delay fault), so the order is
// still moving when the page has shown every kind of hop, however slow the machine.
const SIMULATOR_DELAY_MS = 4_000;

test.afterEach(async ({ request }) => {
  await request.delete('/api/v1/admin/faults/consumer-delay');
});

// The order journey panel on the dev tools page, fed by the admin.journey subscription (loopback, no token).
test('the order journey panel follows the next order placed and shows its http, commit, publish, process and push hops live; an earlier order by id', async ({ page, request }, testInfo) => {
  const earlier = (await (await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }] } })).json()) as Order;

  await page.goto('/dev');
  const panel = page.getByTestId('order-journey');
  await panel.getByRole('button', { name: 'Follow the next order placed' }).click();
  await expect(panel).toHaveAttribute('data-feed', 'waiting');
  const fault = await request.put('/api/v1/admin/faults/consumer-delay', { data: { group: 'simulator-group', delayMs: SIMULATOR_DELAY_MS, ttlSeconds: 60 } });
  expect(fault.status()).toBe(200);
  const placed = await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }] } });
  expect(placed.status()).toBe(201);
  const order = (await placed.json()) as Order;

  await expect(panel.getByLabel('Order id')).toHaveValue(order.id);
  const table = panel.getByRole('table');
  for (const kind of KINDS) await expect(table.locator(`tr[data-kind="${kind}"]`).first()).toBeVisible({ timeout: 30_000 });
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-kind', 'http');
  // live: the simulator (held back by the fault) moves the order on while the page watches, so process hops keep arriving
  const processed = table.locator('tr[data-kind="process"]');
  const before = await processed.count();
  await expect.poll(() => processed.count(), { timeout: 30_000 }).toBeGreaterThan(before);
  await request.delete('/api/v1/admin/faults/consumer-delay');
  await page.screenshot({ path: testInfo.outputPath('order-journey-desktop.png'), fullPage: true });
  expect(await auditPanel(page), 'axe at desktop width').toEqual([]);

  // an order placed before the page opened, by its id, from the keyboard
  await panel.getByLabel('Order id').fill(earlier.id);
  await panel.getByLabel('Order id').press('Enter');
  await expect(panel.getByTestId('journey-status')).toContainText(earlier.id);
  for (const kind of KINDS) await expect(table.locator(`tr[data-kind="${kind}"]`).first()).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await panel.evaluate((el) => {
    el.scrollIntoView();
    window.scrollBy(0, -80); // below the sticky header
  });
  await page.screenshot({ path: testInfo.outputPath('order-journey-phone.png'), fullPage: true });
  await page.screenshot({ path: testInfo.outputPath('order-journey-phone-viewport.png') });
  expect(await auditPanel(page), 'axe at phone width').toEqual([]);
});
