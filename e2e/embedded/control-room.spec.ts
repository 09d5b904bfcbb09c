import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { MenuItem, Order } from '@pizza/contracts';

const customer = { name: 'Control Room', phone: '+1 555 0199', address: '9 Operator Lane' };
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 812 } };

const placeOrder = async (request: APIRequestContext) => {
  const res = await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: true } });
  expect(res.status()).toBe(201);
  return Order.parse(await res.json());
};
const orderOf = async (request: APIRequestContext, id: string) => Order.parse(await (await request.get(`/api/v1/orders/${id}`)).json());

/**
 * Screenshots at desktop and phone width into the test's output dir: the whole page, and each
 * control-room panel on its own (legible at phone width). No width scrolls sideways.
 */
async function shoot(page: Page, name: string, outputPath: (name: string) => string) {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${name} at ${device} width scrolls sideways`).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: outputPath(`${name}-${device}.png`), fullPage: true });
    for (const panel of ['dead-letters', 'faults', 'load', 'stock']) {
      // the sticky site header would sit over a panel taller than the window
      await page.getByTestId(panel).screenshot({ path: outputPath(`${name}-${device}-${panel}.png`), style: 'header { position: static !important; }' });
    }
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('control-room').screenshot({ path: outputPath(`${name}-desktop-dark.png`), style: 'header { position: static !important; }' });
  await page.emulateMedia({ colorScheme: 'light' });
}

// The operator's flow on the dev tools page (embedded, loopback: no token needed), all from the page.
test('from the page: a failure fault on delivery-group piles orders up as dead letters live; fault off, redrive all: each order delivered once', async ({ page, request }, testInfo) => {
  await page.goto('/dev');
  await expect(page.getByTestId('pipeline')).toHaveAttribute('data-feed', 'live');
  await expect(page.getByTestId('control-room')).toHaveAttribute('data-access', 'granted');
  const faults = page.getByTestId('faults');
  const letters = page.getByTestId('dead-letters');
  await expect(letters.getByTestId('dead-letters-shown')).toHaveText('0 dead letters');

  await faults.getByLabel('Fault', { exact: true }).selectOption('consumer-failure');
  await faults.getByLabel('Consumer group').selectOption('delivery-group');
  await faults.getByLabel('Failure rate (0 to 1)').fill('1');
  await faults.getByLabel('For (s, 1 to 3600)').fill('120');
  await faults.getByRole('button', { name: 'Switch on' }).click();
  const active = faults.getByTestId('active-fault');
  await expect(active).toContainText('consumer-failure');
  await expect(active).toContainText('group delivery-group · rate 1');
  await expect(active).toContainText(/ends in (2:00|1:[0-5]\d)/);
  await expect(faults.getByRole('status')).toContainText('consumer-failure is on until');

  const orders = [await placeOrder(request), await placeOrder(request)];
  // they appear without a reload: the list follows the live dead-letter count
  for (const order of orders) await expect(letters.locator(`[data-order-id="${order.id}"]`).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('dead-letter-count')).not.toHaveText('0 dead letters');
  const first = letters.locator(`[data-order-id="${orders[0]!.id}"]`).first();
  await expect(first.getByTestId('dead-letter-error')).toContainText('injected failure (consumer-failure fault on delivery-group, rate 1)');
  await first.getByRole('button', { name: /^Inspect/ }).click();
  await expect(first.getByLabel(/^Original envelope/)).toContainText(`"orderId": "${orders[0]!.id}"`);
  await shoot(page, 'control-room-dead-letters', (name) => testInfo.outputPath(name));

  await faults.getByRole('button', { name: 'Switch off consumer-failure' }).click();
  await expect(faults.getByTestId('no-active-fault')).toBeVisible();

  await letters.getByLabel('Error contains').fill('CONSUMER-FAILURE');
  await letters.getByRole('button', { name: 'Redrive all matching' }).click();
  await expect(letters.getByTestId('dead-letters-status')).toContainText(/^Redrove [1-9]\d* dead letters?\.$/);
  for (const order of orders) await expect(letters.locator(`[data-order-id="${order.id}"]`)).toHaveCount(0);

  // a delivery already failing when the fault went off may still dead-letter: it is redriven from the page too
  await expect(async () => {
    if ((await letters.getByTestId('dead-letter').count()) > 0) await letters.getByRole('button', { name: 'Redrive all matching' }).click();
    for (const order of orders) expect((await orderOf(request, order.id)).status).toBe('delivered');
  }).toPass({ timeout: 60_000, intervals: [1_000] });
  const delivered = await Promise.all(orders.map((o) => orderOf(request, o.id)));
  expect(delivered.map((o) => o.delivery?.status)).toEqual(['delivered', 'delivered']);
  expect(new Set(delivered.map((o) => o.delivery!.id)).size).toBe(2);
  await letters.getByLabel('Error contains').fill('');
  await expect(letters.getByTestId('dead-letters-shown')).toHaveText('0 dead letters');
  await expect(page.getByTestId('dead-letter-count')).toHaveText('0 dead letters');
});

test('from the page: the load generator runs with live counts and stops; stock set here shows on an open menu page', async ({ page, browser, request }, testInfo) => {
  const stockBefore = MenuItem.array().parse(await (await request.get('/api/v1/menu')).json());
  try {
    await page.goto('/dev');
    await expect(page.getByTestId('control-room')).toHaveAttribute('data-access', 'granted');
    const load = page.getByTestId('load');
    await load.getByLabel('Orders per second').fill('10');
    await load.getByLabel('For (s)').fill('20');
    await load.getByLabel('Max items per order').fill('2');
    await load.getByRole('button', { name: 'Start load' }).click();
    const run = load.getByTestId('load-run');
    await expect(run).toHaveAttribute('data-running', 'true');
    await expect(load.getByRole('status')).toHaveText('Load run started: 10 orders/s for 20 s.');
    // the counts move while it runs
    const placed = load.getByTestId('load-placed');
    await expect.poll(async () => Number(await placed.textContent()), { timeout: 15_000 }).toBeGreaterThanOrEqual(10);
    const seen = Number(await placed.textContent());
    await expect.poll(async () => Number(await placed.textContent()), { timeout: 15_000 }).toBeGreaterThan(seen);
    await expect.poll(async () => Number(await load.getByTestId('load-achieved').textContent())).toBeGreaterThan(1);
    await shoot(page, 'control-room-load', (name) => testInfo.outputPath(name));
    await load.getByRole('button', { name: 'Stop' }).click();
    await expect(run).toHaveAttribute('data-running', 'false');
    await expect(load.getByRole('status')).toHaveText('Load run stopped.');
    expect(Number(await load.getByTestId('load-errors').textContent())).toBe(0);

    const menuPage = await browser.newPage();
    await menuPage.goto('/');
    const tiramisu = menuPage.getByTestId('menu-item').filter({ hasText: 'Tiramisu' });
    await expect(tiramisu).toBeVisible();
    const stock = page.getByTestId('stock');
    await stock.getByLabel('Item').selectOption({ label: 'Tiramisu' });
    await stock.getByLabel(/New stock/).fill('4');
    await stock.getByRole('button', { name: 'Set stock' }).click();
    await expect(stock.getByRole('status')).toHaveText('Tiramisu: stock set to 4.');
    await expect(stock.getByTestId('stock-now')).toHaveText('In stock now: 4');
    await expect(tiramisu).toContainText('Low stock — 4 left', { timeout: 10_000 });
    await menuPage.close();
  } finally {
    // the other specs expect the seeded stock
    for (const item of stockBefore) expect((await request.put(`/api/v1/admin/menu/${item.id}/stock`, { data: { stock: item.stock } })).status()).toBe(200);
  }
});
