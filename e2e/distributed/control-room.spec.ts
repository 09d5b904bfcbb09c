import { expect, test } from '@playwright/test';
import { MenuItem, Order } from '@pizza/contracts';
import { deadLettersOf, redriveAllMatching, runLoad, setStock, shootControlRoom, switchFailureOn, switchFaultOff } from '../embedded/control-room-page';
import { E2E_ADMIN_TOKEN } from './stack';
import { stack } from './stack-env';

const customer = { name: 'Edge Operator', phone: '+31 20 555 0199', address: '9 Operator Lane' };
const auth = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` };

async function placeOrder(): Promise<Order> {
  const res = await fetch(`${stack().edge}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ menuItemId: 'margherita', quantity: 1 }], simulate: true }),
  });
  expect(res.status).toBe(201);
  return Order.parse(await res.json());
}
const orderOf = async (id: string) => Order.parse(await (await fetch(`${stack().edge}/api/v1/orders/${id}`)).json());

// whatever happens in a test, no fault or load run outlives it into the next tests of this stack
test.afterEach(async () => {
  await fetch(`${stack().edge}/api/v1/admin/faults/consumer-failure`, { method: 'DELETE', headers: auth });
  await fetch(`${stack().edge}/api/v1/admin/load`, { method: 'DELETE', headers: auth });
});

// the flows below wait up to 45 s for dead letters and 60 s for deliveries: room for both on a slow machine
test.describe.configure({ timeout: 180_000 });

// The control room behind the real NGINX, ADMIN_TOKEN set on the order service: faults shared
// through Redis by every service process.
// On the jongodb test server (E2E_STORAGE=mongo without MONGO_URL) this flow was seen to leave the
// server committing nothing more: after the redrive (one event handled twice at once by a group,
// an E11000 on its inbox) every later order of the run waited 10 s and got 503. It runs on SQLite,
// and on MongoDB when MONGO_URL names a real replica set.
const onJongodb = process.env.E2E_STORAGE === 'mongo' && !process.env.MONGO_URL;
const title =
  'behind NGINX the control room asks for the token (401, then 403 for a wrong one), then steers every process: failure fault, dead letters live, fault off, redrive all, delivered once; load; stock';
test.skip(onJongodb, `${title} (skipped on the jongodb test server, which stops committing after this flow; runs with SQLite or a real MongoDB via MONGO_URL)`);

test(title, async ({ page, browser }, testInfo) => {
  const stockBefore = MenuItem.array().parse(await (await fetch(`${stack().edge}/api/v1/menu`)).json());
  try {
    await page.goto(`${stack().edge}/dev`);
    const room = page.getByTestId('control-room');
    await expect(room).toHaveAttribute('data-access', 'refused');
    await expect(room.getByTestId('control-room-token')).toContainText('HTTP 401');
    await shootControlRoom(page, 'edge-control-room-token', testInfo);
    const tokenInput = room.getByLabel('Admin token for the control room');
    await tokenInput.fill('not-the-token');
    await tokenInput.press('Enter');
    await expect(room.getByTestId('control-room-token')).toContainText('HTTP 403');
    await room.getByLabel('Admin token for the control room').fill(E2E_ADMIN_TOKEN);
    await room.getByRole('button', { name: 'Unlock' }).click();
    await expect(room).toHaveAttribute('data-access', 'granted');
    await expect(room.getByRole('heading', { name: 'Control room' })).toBeFocused();
    // the live pipeline follows the same token
    await expect(page.getByTestId('pipeline')).toHaveAttribute('data-feed', 'live');

    await switchFailureOn(page, 'delivery-group', 1, 120);
    const order = await placeOrder();
    // the delivery service (another process) fails it: it shows up here without a reload
    await expect(deadLettersOf(page, order.id).first()).toBeVisible({ timeout: 45_000 });
    await expect(deadLettersOf(page, order.id).first().getByTestId('dead-letter-error')).toContainText('consumer-failure fault on delivery-group');
    await shootControlRoom(page, 'edge-control-room-dead-letters', testInfo);

    await switchFaultOff(page, 'consumer-failure');
    await redriveAllMatching(page, 'consumer-failure');
    // every process drops the fault within half a second; a delivery failing meanwhile is redriven too
    const letters = page.getByTestId('dead-letters');
    await expect(async () => {
      // the list may empty (and the button disable) between the count and the click: a bounded click,
      // whose timeout just means another round
      if ((await letters.getByTestId('dead-letter').count()) > 0) await letters.getByRole('button', { name: 'Redrive all matching' }).click({ timeout: 2_000 });
      expect((await orderOf(order.id)).status).toBe('delivered');
    }).toPass({ timeout: 60_000, intervals: [1_000] });
    expect((await orderOf(order.id)).delivery).toMatchObject({ status: 'delivered' });
    await expect(deadLettersOf(page, order.id)).toHaveCount(0);

    await runLoad(page, 5, 120);

    const menuPage = await browser.newPage();
    await menuPage.goto(`${stack().edge}/`);
    const tiramisu = menuPage.getByTestId('menu-item').filter({ hasText: 'Tiramisu' });
    await expect(tiramisu).toBeVisible();
    await setStock(page, 'Tiramisu', 3);
    await expect(tiramisu).toContainText('Low stock — 3 left', { timeout: 10_000 });
    await menuPage.close();
  } finally {
    for (const item of stockBefore) {
      const res = await fetch(`${stack().edge}/api/v1/admin/menu/${item.id}/stock`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ stock: item.stock }) });
      expect(res.status).toBe(200);
    }
  }
});
