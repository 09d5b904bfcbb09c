import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError, createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import type { AppRouter } from '@pizza/api';
import { startProcess, type AppProcess } from './app-process';

let app: AppProcess;
beforeAll(async () => {
  app = await startProcess();
});
afterAll(async () => {
  await app?.kill();
});

const customer = { name: 'Grace Hopper', phone: '555-0100-22', address: '1 Compiler Lane' };

describe('tRPC over HTTP at /api/trpc', () => {
  it('serves the typed procedures, batched', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${app.url}/api/trpc` })] });
    const [menu, item] = await Promise.all([client.menu.list.query(), client.menu.byId.query({ id: 'cola' })]);
    expect(menu).toHaveLength(7);
    expect(item.name).toBe('Cola');
    const order = await client.orders.create.mutate({ customer, items: [{ menuItemId: 'cola', quantity: 2 }], simulate: false });
    expect(order.totalCents).toBe(598);
    expect((await client.orders.byId.query({ id: order.id })).id).toBe(order.id);
    const health = await client.health.query();
    expect(health.checks).toHaveProperty('storage');
  });

  it('answers menu.list alone (the web app polls it) with the bytes the adapter writes', async () => {
    // a batch of two is left to the adapter: its first result is what menu.list alone must be
    const viaAdapter = (await (await fetch(`${app.url}/api/trpc/menu.list,menu.list?batch=1&input=%7B%7D`)).json()) as unknown[];
    const single = await fetch(`${app.url}/api/trpc/menu.list`);
    expect(single.status).toBe(200);
    expect(single.headers.get('content-type')).toBe('application/json');
    expect(await single.text()).toBe(JSON.stringify(viaAdapter[0]));
    const batched = await fetch(`${app.url}/api/trpc/menu.list?batch=1&input=%7B%7D`);
    expect(await batched.text()).toBe(JSON.stringify([viaAdapter[0]]));

    for (const link of [httpLink({ url: `${app.url}/api/trpc` }), httpBatchLink({ url: `${app.url}/api/trpc` })]) {
      const menu = await createTRPCClient<AppRouter>({ links: [link] }).menu.list.query();
      expect(menu.map((item) => item.id)).toContain('margherita');
    }
  });

  it('maps domain errors to codes with app data', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${app.url}/api/trpc` })] });
    const error = await client.orders.create
      .mutate({ customer, items: [{ menuItemId: 'margherita', quantity: 50 }, { menuItemId: 'hawaiian', quantity: 50 }, { menuItemId: 'nope', quantity: 1 }], simulate: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data as { httpStatus: number; appCode: string; stack?: unknown };
    expect(data.httpStatus).toBe(400);
    expect(data.appCode).toBe('UNKNOWN_MENU_ITEM');
    expect(data.stack).toBeUndefined();

    const invalid = await client.orders.create.mutate({ customer, items: [] }).catch((e: unknown) => e);
    expect(((invalid as TRPCClientError<AppRouter>).data as { appCode: string }).appCode).toBe('VALIDATION_ERROR');

    const missing = await client.orders.byId.query({ id: 'nope' }).catch((e: unknown) => e);
    expect(((missing as TRPCClientError<AppRouter>).data as { httpStatus: number }).httpStatus).toBe(404);
  });
});
