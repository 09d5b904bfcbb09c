import { expect, test } from '@playwright/test';
import { drainStock, stockOf } from './shop-api';

test('every open menu page shows the new stock when someone orders, without polling the menu', async ({ browser, request }) => {
  await drainStock(request, 'lava-cake', 8);
  const pages = await Promise.all([browser.newPage(), browser.newPage()]);
  const menuReads: string[] = [];
  for (const page of pages) {
    // the menu shows from a read before the push channel is up, and until then the page polls the menu:
    // wait for the subscription's first push (every item's stock) before counting reads
    const firstPush = page
      .waitForEvent('websocket', (ws) => ws.url().includes('/ws/v1/trpc'))
      .then((ws) => ws.waitForEvent('framereceived', (frame) => String(frame.payload).includes('"lava-cake"')));
    await page.goto('/');
    await expect(page.getByTestId('menu-item').filter({ hasText: 'Lava Cake' })).toContainText('Low stock — 8 left');
    await firstPush;
  }
  // count reads of the whole menu from here on: the change must come as a push
  for (const page of pages) page.on('request', (req) => req.url().includes('menu.list') && menuReads.push(req.url()));

  const res = await request.post('/api/v1/orders', {
    data: { customer: { name: 'Other Customer', phone: '+1 555 0142', address: '2 Elsewhere Road' }, items: [{ menuItemId: 'lava-cake', quantity: 1 }], simulate: false },
  });
  expect(res.status()).toBe(201);
  expect(await stockOf(request, 'lava-cake')).toBe(7);
  for (const page of pages) {
    await expect(page.getByTestId('menu-item').filter({ hasText: 'Lava Cake' })).toContainText('Low stock — 7 left', { timeout: 10_000 });
  }
  expect(menuReads).toEqual([]);
  await Promise.all(pages.map((page) => page.close()));
});
