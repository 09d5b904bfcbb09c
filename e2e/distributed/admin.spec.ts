import { expect, test } from '@playwright/test';
import { ErrorBody } from '@pizza/contracts';
import { E2E_ADMIN_TOKEN } from './stack';
import { stack } from './stack-env';

// The operations API behind the real NGINX, with ADMIN_TOKEN set on the order service.
test('admin calls through the edge: 401 from NGINX without Authorization, 403 with a wrong token, 200 with the right one', async () => {
  for (const path of ['/api/v1/admin/pipeline', '/api/trpc/admin.pipelineSnapshot']) {
    const bare = await fetch(`${stack().edge}${path}`);
    expect(bare.status, path).toBe(401);
    expect(ErrorBody.parse(await bare.json()).code).toBe('UNAUTHORIZED');
    expect((await fetch(`${stack().edge}${path}`, { headers: { authorization: 'Bearer not-the-token' } })).status, path).toBe(403);
    expect((await fetch(`${stack().edge}${path}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })).status, path).toBe(200);
  }
  // with the token set, even a direct loopback client needs it
  expect((await fetch(`http://${stack().orderService}/api/v1/admin/pipeline`)).status).toBe(401);
});

test('the dev tools page asks for the admin token when refused, then shows the live pipeline; the token stays with the tab', async ({ page, context }) => {
  await page.goto(`${stack().edge}/dev`);
  const pipeline = page.getByTestId('pipeline');
  await expect(pipeline).toHaveAttribute('data-feed', 'refused');
  await pipeline.getByLabel(/Admin token/).fill(E2E_ADMIN_TOKEN);
  await pipeline.getByRole('button', { name: 'Connect' }).click();
  await expect(pipeline).toHaveAttribute('data-feed', 'live');
  await expect(pipeline.locator('tr[data-stream="orders-stream"][data-group="delivery-group"]')).toBeVisible();

  await page.reload();
  await expect(page.getByTestId('pipeline')).toHaveAttribute('data-feed', 'live');
  const other = await context.newPage();
  await other.goto(`${stack().edge}/dev`);
  await expect(other.getByTestId('pipeline')).toHaveAttribute('data-feed', 'refused');
});
