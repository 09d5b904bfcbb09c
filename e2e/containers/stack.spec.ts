import { expect, test, type Page } from '@playwright/test';
import { Order } from '@pizza/contracts';
import { dashboardMetricsOn } from '../../docker/test/dashboards';
import { addToCart, expectDelivered, fillCustomer } from '../embedded/shop-page';
import { containerOf, containers, healthy, inspect, metricsOf, podman, processCredentials, stackUnderTest, statusInside } from './podman';

const customer = { name: 'Container Tester', phone: '+31 20 555 0111', address: '1 Volume Street' };
const APP_PORTS: Record<string, number> = { 'order-service': 8003, notifications: 8002, delivery: 8001, simulator: 8004 };
const EXPECTED = ['delivery', 'nginx', 'notifications', 'notifications', 'order-service', 'prometheus', 'redis', 'simulator', 'web'];

async function placeOrder(): Promise<Order> {
  const res = await fetch(`${stackUnderTest().edge}/api/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, items: [{ menuItemId: 'margherita', quantity: 1 }], simulate: true }),
  });
  expect(res.status).toBe(201);
  return Order.parse(await res.json());
}

async function statusOf(id: string): Promise<string> {
  try {
    const res = await fetch(`${stackUnderTest().edge}/api/v1/orders/${id}`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? Order.parse(await res.json()).status : `http ${res.status}`;
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  }
}

const waitForStatus = (id: string, wanted: string[], timeout = 60_000) =>
  expect.poll(() => statusOf(id), { timeout, intervals: [250, 500, 1000] }).toMatch(new RegExp(`^(${wanted.join('|')})$`));

async function trackInBrowser(page: Page, id: string) {
  await page.goto(`${stackUnderTest().edge}/orders/${id}`);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
}

async function allHealthy(names: string[]) {
  for (const name of names) await expect.poll(() => healthy(name), { timeout: 90_000, intervals: [1000] }).toBe(true);
}

test.describe.configure({ mode: 'serial' });

test('every container is healthy by its own HEALTHCHECK; its process runs as non-root without capabilities on a read-only root', async () => {
  const list = await containers();
  expect(list.map((c) => c.service).sort()).toEqual(EXPECTED);
  await allHealthy(list.map((c) => c.name));
  for (const { name } of list) {
    const info = await inspect(name);
    expect(info.HostConfig.ReadonlyRootfs, name).toBe(true);
    expect(info.EffectiveCaps ?? [], name).toEqual([]);
    const { uid, capEff } = processCredentials(info.State.Pid);
    expect(uid, name).not.toBe(0);
    expect(capEff, name).toBe(0n);
  }
});

test('the ordering flow in Chromium through the edge reaches Delivered', async ({ page }) => {
  await page.goto(`${stackUnderTest().edge}/`);
  await expect(page.getByRole('heading', { name: 'Our menu' })).toBeVisible();
  await addToCart(page, 'Margherita', 2);
  await addToCart(page, 'Cola');
  await page.getByRole('link', { name: /Cart/ }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await fillCustomer(page);
  await page.getByRole('button', { name: 'Place order' }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'live');
  await expectDelivered(page);
});

test('Prometheus scrapes every replica (targets up) and every metric the dashboards query exists', async () => {
  const jobs = ['order-service', 'notifications', 'delivery', 'simulator', 'prometheus'];
  const upTargets = async () => {
    const res = await fetch(`${stackUnderTest().edge}/prometheus/api/v1/targets?state=active`);
    const body = (await res.json()) as { data: { activeTargets: { labels: { job: string }; health: string }[] } };
    return body.data.activeTargets
      .filter((t) => jobs.includes(t.labels.job) && t.health === 'up')
      .map((t) => t.labels.job)
      .sort();
  };
  await expect.poll(upTargets, { timeout: 90_000, intervals: [2000] }).toEqual(['delivery', 'notifications', 'notifications', 'order-service', 'prometheus', 'simulator']);

  const app = (await containers()).filter((c) => c.service in APP_PORTS);
  const pages = await Promise.all(app.map((c) => metricsOf(c.name, APP_PORTS[c.service]!)));
  const { used, missing } = dashboardMetricsOn(pages);
  expect(used.length).toBeGreaterThan(5);
  expect(missing).toEqual([]);
});

test('killing a notifications replica, the simulator and Redis mid-journey: delivered, and the tracker resumes', async ({ page }) => {
  const order = await placeOrder();
  await trackInBrowser(page, order.id);
  await waitForStatus(order.id, ['confirmed', 'preparing']);
  // the simulator first: once it is gone the order cannot move on while the other kills take their time
  const victims = [containerOf('simulator'), containerOf('notifications'), containerOf('redis')];
  for (const name of victims) await podman('kill', name);
  expect(await statusOf(order.id)).not.toBe('delivered'); // the kills really happened mid-journey

  // Podman counts `podman kill` as a stop by the user, so its restart policy leaves the containers
  // down: start them again as a supervisor would. Redis comes back with its streams (AOF).
  await new Promise((r) => setTimeout(r, 3000));
  for (const name of victims) await podman('start', name);
  await allHealthy(victims);
  await waitForStatus(order.id, ['delivered'], 120_000);
  await expectDelivered(page); // the page's tracking socket reconnected through the edge and resumed
  const after = await placeOrder();
  await waitForStatus(after.id, ['delivered'], 120_000);
});

test('a network split of the simulator: readiness reports it, nothing is lost after it reconnects', async () => {
  const simulator = containerOf('simulator');
  const network = `${stackUnderTest().project}_default`;
  const first = await placeOrder();
  await waitForStatus(first.id, ['confirmed', 'preparing']);

  await podman('network', 'disconnect', network, simulator);
  let reconnected = false;
  try {
    const during = [await placeOrder(), await placeOrder()];
    await expect.poll(() => statusInside(simulator, APP_PORTS.simulator!, '/api/v1/health'), { timeout: 60_000, intervals: [1000] }).not.toBe(200);
    for (const o of during) expect(await statusOf(o.id)).not.toBe('delivered');
    await podman('network', 'connect', '--alias', 'simulator', network, simulator);
    reconnected = true;
    await expect.poll(() => statusInside(simulator, APP_PORTS.simulator!, '/api/v1/health'), { timeout: 60_000, intervals: [1000] }).toBe(200);
    for (const o of [first, ...during]) await waitForStatus(o.id, ['delivered'], 90_000);
    await allHealthy([simulator]);
  } finally {
    if (!reconnected) await podman('network', 'connect', '--alias', 'simulator', network, simulator).catch(() => undefined);
  }
});
