import { expect, test, type Page } from '@playwright/test';
import { drainStock, stockOf } from './shop-api';
import { addToCart, expectDelivered, fillCustomer } from './shop-page';

test('order flow: menu → two items → cart → checkout → live tracking to Delivered', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Our menu' })).toBeVisible();
  await addToCart(page, 'Margherita', 2);
  await addToCart(page, 'Cola');
  const cart = page.getByRole('link', { name: /Cart/ });
  await expect(cart).toContainText('3');
  await cart.click();
  await expect(page.getByTestId('cart-line')).toHaveCount(2);
  await page.getByRole('button', { name: 'Checkout' }).click();
  await fillCustomer(page);
  await page.getByRole('button', { name: 'Place order' }).click();

  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await expectDelivered(page); // pushed live: no reload happened
  await expect(page.getByTestId('courier')).toBeVisible();
  await expect(page.getByRole('link', { name: /Cart/ })).not.toContainText('3'); // the cart was cleared
});

test('validation: an empty or invalid form shows field errors and sends nothing', async ({ page }) => {
  await page.goto('/');
  await addToCart(page, 'Pepperoni');
  await page.goto('/checkout');
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('orders.create')) sent.push(r.url());
  });
  await page.getByRole('button', { name: 'Place order' }).click();
  for (const field of ['name', 'phone', 'address']) {
    await expect(page.locator(`#checkout-${field}-error`)).toBeVisible();
  }
  await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Name').fill('Ada');
  await page.getByLabel('Phone').fill('call me');
  await page.getByLabel('Address').fill('x');
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page.locator('#checkout-phone-error')).toBeVisible();
  await expect(page.locator('#checkout-address-error')).toBeVisible();
  await expect(page.locator('#checkout-name-error')).toHaveCount(0);
  await page.waitForTimeout(300);
  expect(sent).toEqual([]);
  await expect(page).toHaveURL(/\/checkout$/);
});

test('sold out: two customers race for the last Tiramisu; one is tracked, the other told why', async ({ browser, request }) => {
  await drainStock(request, 'tiramisu', 1);
  const [a, b] = await Promise.all([browser.newContext(), browser.newContext()]);
  const pages = await Promise.all([a.newPage(), b.newPage()]);
  for (const page of pages) {
    await page.goto('/');
    await addToCart(page, 'Tiramisu');
    await page.goto('/checkout');
    await fillCustomer(page);
  }
  await Promise.all(pages.map((page) => page.getByRole('button', { name: 'Place order' }).click()));

  const outcome = async (page: Page) => {
    const tracked = page.waitForURL(/\/orders\//, { timeout: 15_000 }).then(() => 'tracked' as const);
    const refused = page.getByTestId('checkout-error').waitFor({ timeout: 15_000 }).then(() => 'refused' as const);
    return Promise.race([tracked, refused]);
  };
  const outcomes = await Promise.all(pages.map(outcome));
  expect([...outcomes].sort()).toEqual(['refused', 'tracked']);
  const loser = pages[outcomes.indexOf('refused')]!;
  await expect(loser.getByTestId('checkout-error')).toContainText('Tiramisu');
  await expect(loser.getByRole('link', { name: /Cart/ })).toContainText('1'); // the cart is kept

  await loser.goto('/');
  const card = loser.locator('[data-testid="menu-item"][data-menu-item-id="tiramisu"]');
  await expect(card).toContainText('Sold out');
  await expect(loser.getByRole('button', { name: 'Add Tiramisu to cart' })).toBeDisabled();
  expect(await stockOf(request, 'tiramisu')).toBe(0);
  await Promise.all([a.close(), b.close()]);
});

test('stock that drops while the checkout is open shows a notice below Place order and leaves the button where it was', async ({ page, request }) => {
  const before = await stockOf(request, 'hawaiian');
  await page.goto('/');
  await addToCart(page, 'Hawaiian');
  await page.goto('/checkout');
  await fillCustomer(page);
  const button = page.getByRole('button', { name: 'Place order' });
  const at = await button.boundingBox();
  // the control room sets the stock; the menu.stock subscription brings it to this page
  expect((await request.put('/api/v1/admin/menu/hawaiian/stock', { data: { stock: 0 } })).status()).toBe(200);
  try {
    await expect(page.getByText('Stock has changed')).toBeVisible();
    await expect(page.getByText('Hawaiian is sold out. Remove it to continue.')).toBeVisible();
    expect(await button.boundingBox()).toEqual(at);
  } finally {
    expect((await request.put('/api/v1/admin/menu/hawaiian/stock', { data: { stock: before } })).status()).toBe(200);
  }
});

test('a reload mid-way shows the current status at once and carries on', async ({ page }) => {
  await page.goto('/');
  await addToCart(page, 'Hawaiian');
  await page.goto('/checkout');
  await fillCustomer(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page).toHaveURL(/\/orders\//);
  await expect(page.locator('li[data-status="confirmed"] time')).toHaveCount(1);
  await page.reload();
  // right after the reload the reached steps are there, before any push
  await expect(page.locator('li[data-status="created"]')).toHaveAttribute('data-state', /done|current/, { timeout: 3000 });
  await expect(page.locator('li[data-status="confirmed"] time')).toHaveCount(1, { timeout: 3000 });
  await expectDelivered(page);
});

test('a double click on "Place order" creates one order', async ({ page, request }) => {
  const before = await stockOf(request, 'sparkling-water');
  await page.goto('/');
  await addToCart(page, 'Sparkling Water', 3);
  await page.goto('/checkout');
  await fillCustomer(page);
  // every order the page sends, answered: a second one would be sent within the double click
  const answered: Promise<unknown>[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('orders.create')) answered.push(r.response());
  });
  await page.getByRole('button', { name: 'Place order' }).dblclick();
  await expect(page).toHaveURL(/\/orders\//);
  await Promise.all(answered);
  expect(await stockOf(request, 'sparkling-water')).toBe(before - 3);
});

test('dev tools show live health and the operator links', async ({ page }) => {
  await page.goto('/dev');
  for (const name of ['HTTP dashboard', 'Event pipeline dashboard', 'Application logs dashboard', 'Prometheus', 'API docs', 'OpenAPI document', 'AsyncAPI document']) {
    await expect(page.getByRole('link', { name: new RegExp(name) })).toBeVisible();
  }
  const health = page.getByTestId('health-order-service');
  await expect(health.locator('[data-check="storage"]')).toHaveAttribute('data-status', 'ok');
  await expect(health.locator('[data-check="bus"]')).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('health-notifications')).toContainText('Connected');
  await expect(page.getByTestId('health-services').locator('li[data-service="pizza-express"]')).toHaveAttribute('data-status', 'ok');
});
