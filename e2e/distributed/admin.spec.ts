import { expect, test } from '@playwright/test';
import { ErrorBody } from '@pizza/contracts';
import { stack } from './stack-env';

// The operations API behind the real NGINX, ADMIN_TOKEN unset: nothing is open through the edge.
test('admin calls through the edge: 401 from NGINX without Authorization, 403 naming ADMIN_TOKEN from the service with one', async () => {
  for (const path of ['/api/v1/admin/pipeline', '/api/trpc/admin.pipelineSnapshot']) {
    const bare = await fetch(`${stack().edge}${path}`);
    expect(bare.status, path).toBe(401);
    expect(ErrorBody.parse(await bare.json()).code).toBe('UNAUTHORIZED');

    const proxied = await fetch(`${stack().edge}${path}`, { headers: { authorization: 'Bearer anything-at-all-0123456789' } });
    expect(proxied.status, path).toBe(403);
    expect(JSON.stringify(await proxied.json()), path).toContain('ADMIN_TOKEN');
  }
  // the same service answers a direct loopback client
  expect((await fetch(`http://${stack().orderService}/api/v1/admin/pipeline`)).status).toBe(200);
});
