import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

// axe (its default rules: WCAG 2.x A/AA and best practices) on every page, in both themes, at desktop
// and phone width: no serious or critical violation.
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const THEMES = ['light', 'dark'] as const;

/** Runs axe on the page as it is, at every width: no serious or critical violation. */
async function audit(page: Page, name: string) {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const summary = serious.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
    expect(summary, `${name} at ${device} width: serious or critical axe violations`).toEqual([]);
  }
}

for (const theme of THEMES) {
  test(`axe: every page in the ${theme} theme (from the system setting), at desktop and phone width`, async ({ page }) => {
    test.setTimeout(300_000); // twelve axe runs: about a minute here, over three at load average ~28
    await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Our menu' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(theme === 'dark');
    await expect(page.getByTestId('menu-item').first()).toBeVisible();
    await audit(page, 'menu');
    await page.getByRole('button', { name: 'Add Pepperoni to cart' }).click();
    await page.goto('/cart');
    await expect(page.getByTestId('cart-line')).toHaveCount(1);
    await audit(page, 'cart');
    await page.goto('/checkout');
    await page.getByRole('button', { name: 'Place order' }).click(); // with the field errors showing
    await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    await audit(page, 'checkout');
    await page.getByLabel('Name').fill('Axe Tester');
    await page.getByLabel('Phone').fill('+1 555 0123');
    await page.getByLabel('Address').fill('8 Contrast Avenue');
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(page.locator('li[data-status="delivered"]')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
    await audit(page, 'tracking');
    await page.goto('/dev');
    await expect(page.getByTestId('health-notifications')).toContainText('Connected');
    await audit(page, 'dev tools');
    await page.goto('/no-such-page');
    await audit(page, 'not found');
  });
}

test('the header toggle switches the theme and the choice is remembered over the system setting', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  expect(await isDark()).toBe(false);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await isDark()).toBe(true);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveAttribute('aria-pressed', 'true');
  expect(await isDark()).toBe(true);
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await isDark()).toBe(true); // a choice beats the system
});

/** Presses Tab until the focused element has this accessible name (bounded), as a keyboard user would. */
async function tabTo(page: Page, name: RegExp, limit = 80) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      return el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '';
    });
    if (name.test(focused.trim())) return;
  }
  throw new Error(`no element named ${name} reached with ${limit} tabs`);
}

test('keyboard only: menu → cart → checkout → tracking with Tab, Enter and typing, no mouse', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Our menu' })).toBeVisible();
  await tabTo(page, /^Add Margherita to cart$/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await tabTo(page, /^Cart/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/cart$/);
  await tabTo(page, /^Checkout/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/checkout$/);
  await tabTo(page, /^Name/);
  await page.keyboard.type('Key Board');
  await tabTo(page, /^Phone/);
  await page.keyboard.type('+1 555 0111');
  await tabTo(page, /^Address/);
  await page.keyboard.type('1 Tab Street');
  await tabTo(page, /^Place order/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  await expect(page.locator('li[data-status="delivered"]')).toHaveAttribute('data-state', 'current', { timeout: 30_000 });
});
