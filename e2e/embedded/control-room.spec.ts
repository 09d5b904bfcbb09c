import { expect, test, type APIRequestContext } from '@playwright/test';
import { MenuItem, Order } from '@pizza/contracts';
import { auditControlRoom, deadLettersOf, redriveAllMatching, runLoad, setStock, shootControlRoom, switchFailureOn, switchFaultOff } from './control-room-page';

const customer = { name: 'Control Room', phone: '+1 555 0199', address: '9 Operator Lane' };

const placeOrder = async (request: APIRequestContext) => {
  const res = await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: true } });
  expect(res.status()).toBe(201);
  return Order.parse(await res.json());
};
const orderOf = async (request: APIRequestContext, id: string) => Order.parse(await (await request.get(`/api/v1/orders/${id}`)).json());

// whatever happens in a test, no fault or load run outlives it into the next tests of this server
test.afterEach(async ({ request }) => {
  await request.delete('/api/v1/admin/faults/consumer-failure');
  await request.delete('/api/v1/admin/load');
});

// the flows below wait up to 45 s for dead letters and 60 s for deliveries: room for both on a slow machine
test.describe.configure({ timeout: 180_000 });

// The operator's flow on the dev tools page (embedded, loopback: no token needed), all from the page.
test('from the page: a failure fault on delivery-group piles orders up as dead letters live; fault off, redrive all: each order delivered once', async ({ page, request }, testInfo) => {
  await page.goto('/dev');
  await expect(page.getByTestId('pipeline')).toHaveAttribute('data-feed', 'live');
  await expect(page.getByTestId('control-room')).toHaveAttribute('data-access', 'granted');
  const letters = page.getByTestId('dead-letters');
  await expect(letters.getByTestId('dead-letters-shown')).toHaveText('0 dead letters');

  const active = await switchFailureOn(page, 'delivery-group', 1, 120);
  await expect(active).toContainText(/ends in (2:00|1:[0-5]\d)/);

  const orders = [await placeOrder(request), await placeOrder(request)];
  // they appear without a reload: the list follows the live dead-letter count
  for (const order of orders) await expect(deadLettersOf(page, order.id).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('dead-letter-count')).not.toHaveText('0 dead letters');
  const first = deadLettersOf(page, orders[0]!.id).first();
  await expect(first.getByTestId('dead-letter-error')).toContainText('injected failure (consumer-failure fault on delivery-group, rate 1)');
  await first.getByRole('button', { name: /^Inspect/ }).click();
  await expect(first.getByLabel(/^Original envelope/)).toContainText(`"orderId": "${orders[0]!.id}"`);
  await shootControlRoom(page, 'control-room-dead-letters', testInfo);
  await auditControlRoom(page);

  await switchFaultOff(page, 'consumer-failure');
  await redriveAllMatching(page, 'CONSUMER-FAILURE');
  // a delivery already failing when the fault went off may still dead-letter: it is redriven from the page too
  await expect(async () => {
    // the list may empty (and the button disable) between the count and the click: a bounded click,
    // whose timeout just means another round
    if ((await letters.getByTestId('dead-letter').count()) > 0) await letters.getByRole('button', { name: 'Redrive all matching' }).click({ timeout: 2_000 });
    for (const order of orders) expect((await orderOf(request, order.id)).status).toBe('delivered');
  }).toPass({ timeout: 60_000, intervals: [1_000] });
  for (const order of orders) await expect(deadLettersOf(page, order.id)).toHaveCount(0);
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
    await runLoad(page, 10, 120, async () => {
      await shootControlRoom(page, 'control-room-load', testInfo);
      await auditControlRoom(page);
    });

    const menuPage = await browser.newPage();
    await menuPage.goto('/');
    const tiramisu = menuPage.getByTestId('menu-item').filter({ hasText: 'Tiramisu' });
    await expect(tiramisu).toBeVisible();
    await setStock(page, 'Tiramisu', 4);
    await expect(tiramisu).toContainText('Low stock — 4 left', { timeout: 10_000 });
    await menuPage.close();
  } finally {
    // the other specs expect the seeded stock
    for (const item of stockBefore) expect((await request.put(`/api/v1/admin/menu/${item.id}/stock`, { data: { stock: item.stock } })).status()).toBe(200);
  }
});
