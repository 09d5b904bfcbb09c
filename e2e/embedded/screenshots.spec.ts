import { expect, test } from '@playwright/test';

// Screenshots of every page at desktop and phone width, written to test-results/ to look at.
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 812 } };

for (const [device, viewport] of Object.entries(VIEWPORTS)) {
  test(`screenshots at ${device} width`, async ({ page }, testInfo) => {
    await page.setViewportSize(viewport);
    const shoot = async (name: string) => {
      // no page scrolls sideways
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      const path = testInfo.outputPath(`${device}-${name}.png`); // kept under test-results/ to look at
      await page.screenshot({ path, fullPage: true });
    };
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Our menu' })).toBeVisible();
    await shoot('menu');
    await page.getByRole('button', { name: 'Add Pepperoni to cart' }).click();
    await page.getByRole('button', { name: 'Add Lava Cake to cart' }).click();
    await page.goto('/cart');
    await expect(page.getByTestId('cart-line')).toHaveCount(2);
    await shoot('cart');
    await page.goto('/checkout');
    await page.getByRole('button', { name: 'Place order' }).click();
    await shoot('checkout-errors');
    await page.getByLabel('Name').fill('Screen Shot');
    await page.getByLabel('Phone').fill('+1 555 0123');
    await page.getByLabel('Address').fill('8 Pixel Avenue');
    await page.getByRole('button', { name: 'Place order' }).click();
    await expect(page.locator('li[data-status="delivered"]')).toHaveAttribute('data-state', 'current');
    await shoot('tracking');
    await page.goto('/dev');
    await expect(page.getByTestId('health-notifications')).toContainText('Connected');
    await shoot('dev-tools');
  });
}
