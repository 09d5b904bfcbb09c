import { expect, test, type APIRequestContext } from '@playwright/test';

const customer = { name: 'Proxy Victim', phone: '+1 555 0199', address: '9 Firewall Road' };

/** Status messages the server has pushed over SSE so far. */
async function ssePushes(request: APIRequestContext): Promise<number> {
  const text = await (await request.get('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('ws_messages_pushed_total{') && l.includes('transport="sse"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test('with WebSockets refused, tracking falls back to SSE by itself and follows a new order live to Delivered', async ({ page, request }) => {
  // every WebSocket the page opens is refused, as by a proxy that does not pass upgrades
  let refusedSockets = 0;
  await page.routeWebSocket(/\/ws\//, (ws) => {
    refusedSockets++;
    ws.close({ code: 1008, reason: 'WebSockets blocked' });
  });
  const streams: string[] = [];
  page.on('request', (req) => {
    if (req.url().includes('/events')) streams.push(new URL(req.url()).pathname);
  });

  // an order that does not move: the page finds out WebSockets are blocked and switches to SSE
  const res = await request.post('/api/v1/orders', { data: { customer, items: [{ menuItemId: 'cola', quantity: 1 }], simulate: false } });
  expect(res.status()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await page.goto(`/orders/${id}`);
  const indicator = page.getByTestId('connection-status');
  await expect(indicator).toHaveAttribute('data-transport', 'sse');
  await expect(indicator).toHaveAttribute('data-state', 'live');
  expect(refusedSockets).toBeGreaterThan(0);
  expect(streams).toEqual([`/api/v1/orders/${id}/events`]);

  // a new order in the same visit is followed over SSE from its first state, pushed live
  const pushedBefore = await ssePushes(request);
  await page.getByRole('link', { name: 'Pizza Express' }).click();
  await page.getByRole('button', { name: 'Add Cola to cart' }).click();
  await page.getByRole('link', { name: /Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await page.getByLabel('Name').fill(customer.name);
  await page.getByLabel('Phone').fill(customer.phone);
  await page.getByLabel('Address').fill(customer.address);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(indicator).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('order-timeline').locator('li[data-status="delivered"]')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
  expect(streams).toHaveLength(2);
  // created … delivered: the four later order states and the delivery's steps came as pushes
  expect((await ssePushes(request)) - pushedBefore).toBeGreaterThanOrEqual(5);
});
