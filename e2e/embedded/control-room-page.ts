import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

// What an operator does in the control room on the dev tools page; shared by the embedded and
// the distributed (behind NGINX) browser tests.

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 812 } };
const PANELS = ['dead-letters', 'faults', 'load', 'stock'] as const;
// the sticky site header would sit over a panel taller than the window
const NO_STICKY_HEADER = 'header { position: static !important; }';

/**
 * Screenshots into the test's output dir: the whole page at desktop and phone width, each
 * control-room panel on its own at both widths (legible at phone width), and the control room in
 * the dark theme. No width scrolls sideways.
 */
export async function shootControlRoom(page: Page, name: string, testInfo: TestInfo) {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${name} at ${device} width scrolls sideways`).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: testInfo.outputPath(`${name}-${device}.png`), fullPage: true });
    if ((await page.getByTestId('control-room').getAttribute('data-access')) !== 'granted') continue;
    for (const panel of PANELS) await page.getByTestId(panel).screenshot({ path: testInfo.outputPath(`${name}-${device}-${panel}.png`), style: NO_STICKY_HEADER });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('control-room').screenshot({ path: testInfo.outputPath(`${name}-desktop-dark.png`), style: NO_STICKY_HEADER });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** axe on the control room as it is now, in both themes: no serious or critical violation. */
export async function auditControlRoom(page: Page) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).include('[data-testid="control-room"]').analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`), `control room, ${colorScheme} theme`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Switches `consumer-failure` on for a group from the Faults panel and sees it listed with its time left. */
export async function switchFailureOn(page: Page, group: string, rate: number, ttlSeconds: number) {
  const faults = page.getByTestId('faults');
  await faults.getByLabel('Fault', { exact: true }).selectOption('consumer-failure');
  await faults.getByLabel('Consumer group').selectOption(group);
  await faults.getByLabel('Failure rate (0 to 1)').fill(String(rate));
  await faults.getByLabel('For (s, 1 to 3600)').fill(String(ttlSeconds));
  await faults.getByRole('button', { name: 'Switch on' }).click();
  const active = faults.getByTestId('active-fault');
  await expect(active).toContainText('consumer-failure');
  await expect(active).toContainText(`group ${group} · rate ${rate}`);
  await expect(faults.getByRole('status')).toContainText('consumer-failure is on until');
  return active;
}

export async function switchFaultOff(page: Page, name: string) {
  const faults = page.getByTestId('faults');
  await faults.getByRole('button', { name: `Switch off ${name}` }).click();
  await expect(faults.getByTestId('no-active-fault')).toBeVisible();
  await expect(faults.getByRole('status')).toHaveText(`${name} is off.`);
}

/** The dead letters of one order in the list. */
export const deadLettersOf = (page: Page, orderId: string) => page.getByTestId('dead-letters').locator(`[data-order-id="${orderId}"]`);

/** Filters the list by a part of the error and presses "Redrive all matching"; the page says how many went. */
export async function redriveAllMatching(page: Page, error: string) {
  const letters = page.getByTestId('dead-letters');
  await letters.getByLabel('Error contains').fill(error);
  await letters.getByRole('button', { name: 'Redrive all matching' }).click();
  await expect(letters.getByTestId('dead-letters-status')).toContainText(/^Redrove [1-9]\d* dead letters?\.$/);
}

/** Starts a load run from the page and sees its placed count and achieved rate move while it runs; then stops it. */
export async function runLoad(page: Page, ordersPerSecond: number, durationSeconds: number, whileRunning?: () => Promise<void>) {
  const load = page.getByTestId('load');
  await load.getByLabel('Orders per second').fill(String(ordersPerSecond));
  await load.getByLabel('For (s)').fill(String(durationSeconds));
  await load.getByLabel('Max items per order').fill('2');
  await load.getByRole('button', { name: 'Start load' }).click();
  const run = load.getByTestId('load-run');
  await expect(run).toHaveAttribute('data-running', 'true');
  await expect(load.getByRole('status')).toHaveText(`Load run started: ${ordersPerSecond} orders/s for ${durationSeconds} s.`);
  const placed = load.getByTestId('load-placed');
  const count = async () => Number(await placed.textContent());
  await expect.poll(count, { timeout: 15_000 }).toBeGreaterThanOrEqual(ordersPerSecond);
  const seen = await count();
  await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(seen);
  await expect.poll(async () => Number(await load.getByTestId('load-achieved').textContent())).toBeGreaterThan(ordersPerSecond / 4);
  await whileRunning?.();
  await load.getByRole('button', { name: 'Stop' }).click();
  await expect(run).toHaveAttribute('data-running', 'false');
  await expect(load.getByRole('status')).toHaveText('Load run stopped.');
  expect(Number(await load.getByTestId('load-errors').textContent())).toBe(0);
}

/** Sets one item's stock from the Stock panel (chosen by its name). */
export async function setStock(page: Page, itemName: string, stock: number) {
  const panel = page.getByTestId('stock');
  await panel.getByLabel('Item').selectOption({ label: itemName });
  await panel.getByLabel(/New stock/).fill(String(stock));
  await panel.getByRole('button', { name: 'Set stock' }).click();
  await expect(panel.getByRole('status')).toHaveText(`${itemName}: stock set to ${stock}.`);
  await expect(panel.getByTestId('stock-now')).toHaveText(`In stock now: ${stock}`);
}
