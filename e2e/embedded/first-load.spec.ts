import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { Order } from '@pizza/contracts';

// What a page costs on its first load: the scripts it requests. The menu (the landing page) comes
// with the entry; every other page's code, and zod with the schemas, load only where they are used.
// Route chunks are named after their route files by the build (orders._orderId-<hash>.js, …).
const ROUTE_CHUNK = /\/assets\/(orders\._orderId|checkout|cart|dev)-[\w-]+\.js$/;
const SCHEMAS_CHUNK = /\/assets\/contracts-[\w-]+\.js$/;

async function placeOrder(request: APIRequestContext): Promise<Order> {
  const res = await request.post('/api/v1/orders', {
    data: { customer: { name: 'First Load', phone: '+1 555 0142', address: '3 Bundle Lane' }, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false },
  });
  expect(res.status()).toBe(201);
  return Order.parse(await res.json());
}

/** Opens `path` in a fresh page and returns the scripts it requested, with their content coding. */
async function scriptsOf(page: Page, path: string, ready: () => Promise<void>): Promise<{ url: string; encoding: string | undefined }[]> {
  const scripts: { url: string; encoding: string | undefined }[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push({ url: response.url(), encoding: response.headers()['content-encoding'] });
  });
  await page.goto(path);
  await ready();
  await page.waitForLoadState('networkidle');
  return scripts;
}

test('the menu page loads no route chunk of another page and no schemas; its scripts come compressed, React brotli-compressed by the build', async ({ page }) => {
  const scripts = await scriptsOf(page, '/', () => expect(page.getByTestId('menu-item').first()).toBeVisible());
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((s) => ROUTE_CHUNK.test(s.url) || SCHEMAS_CHUNK.test(s.url)).map((s) => s.url)).toEqual([]);
  expect(scripts.filter((s) => s.encoding !== 'br' && s.encoding !== 'gzip').map((s) => s.url)).toEqual([]);
  expect(scripts.filter((s) => /\/assets\/react-[\w-]+\.js$/.test(s.url)).map((s) => s.encoding)).toEqual(['br']);
});

test('the tracking page loads its own route chunk and neither the other pages’ chunks nor the schemas', async ({ page, request }) => {
  const order = await placeOrder(request);
  const scripts = await scriptsOf(page, `/orders/${order.id}`, () => expect(page.getByText(`#${order.id.slice(0, 8)}`)).toBeVisible());
  const urls = scripts.map((s) => s.url);
  expect(urls.filter((url) => ROUTE_CHUNK.test(url))).toEqual([expect.stringMatching(/\/assets\/orders\._orderId-[\w-]+\.js$/)]);
  expect(urls.filter((url) => SCHEMAS_CHUNK.test(url))).toEqual([]);
});
