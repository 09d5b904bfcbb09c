import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, LoadRun } from '@pizza/contracts';
import { eventually, startProcess, type AppProcess } from './app-process';
import { jsonCall } from './json-call';

// Black-box: the load generator of the operations API on the real all-in-one process.
let app: AppProcess;
beforeAll(async () => {
  app = await startProcess('apps/server/src/main.ts', { SIM_CONFIRM_DELAY_MS: '60000' });
});
afterAll(async () => {
  await app?.kill();
});

const call = (path: string, options: Parameters<typeof jsonCall>[2] = {}) => jsonCall(app.url, path, options);
const run = async () => LoadRun.parse((await call('/api/v1/admin/load')).body);

describe('load generator', () => {
  it('refuses bad input with 400 naming the field; no run yet is 404', async () => {
    expect((await call('/api/v1/admin/load')).status).toBe(404);
    for (const [body, field] of [
      [{ ordersPerSecond: 201, durationSeconds: 1 }, 'ordersPerSecond'],
      [{ ordersPerSecond: 0.05, durationSeconds: 1 }, 'ordersPerSecond'],
      [{ ordersPerSecond: 1, durationSeconds: 601 }, 'durationSeconds'],
      [{ ordersPerSecond: 1, durationSeconds: 1, maxItemsPerOrder: 6 }, 'maxItemsPerOrder'],
    ] as const) {
      const res = await call('/api/v1/admin/load', { method: 'POST', body });
      expect(res.status, field).toBe(400);
      expect(ErrorBody.parse(res.body).message).toContain(field);
    }
  });

  it('places rate × duration orders (202), 409 while running, accounts for every order, then stops by itself', async () => {
    const started = await call('/api/v1/admin/load', { method: 'POST', body: { ordersPerSecond: 20, durationSeconds: 2, maxItemsPerOrder: 5 } });
    expect(started.status).toBe(202);
    expect(LoadRun.parse(started.body)).toMatchObject({ running: true, ordersPerSecond: 20, durationSeconds: 2 });
    const again = await call('/api/v1/admin/load', { method: 'POST', body: { ordersPerSecond: 1, durationSeconds: 1 } });
    expect(again.status).toBe(409);
    expect(ErrorBody.parse(again.body).code).toBe('CONFLICT');

    const done = await eventually(run, (r) => !r.running, 60_000);
    expect(done.placed + done.rejected + done.errors).toBe(40);
    expect(done.errors).toBe(0);
    expect(done.placed).toBeGreaterThan(0);
    expect(done.achievedPerSecond).toBeGreaterThan(0);
  });

  it('stops a run on DELETE (204)', async () => {
    const startedAt = Date.now();
    expect((await call('/api/v1/admin/load', { method: 'POST', body: { ordersPerSecond: 1, durationSeconds: 600 } })).status).toBe(202);
    expect((await call('/api/v1/admin/load', { method: 'DELETE' })).status).toBe(204);
    // one order at once and one a second until the DELETE, plus one in flight: 2 when the calls are quick
    // (two HTTP calls can take over a second on a loaded machine)
    const runFor = Math.floor((Date.now() - startedAt) / 1000);
    const stopped = await eventually(run, (r) => !r.running, 30_000);
    expect(stopped.placed + stopped.rejected + stopped.errors).toBeLessThanOrEqual(runFor + 2);
    expect((await call('/api/v1/admin/load', { method: 'POST', body: { ordersPerSecond: 1, durationSeconds: 1 } })).status).toBe(202);
  });
});
