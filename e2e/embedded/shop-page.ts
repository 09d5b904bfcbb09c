import { expect, type Page } from '@playwright/test';

// What a customer does on the shop pages; shared by the embedded and the container browser tests.

const STEPS = ['created', 'confirmed', 'preparing', 'out_for_delivery', 'delivered'] as const;

export async function addToCart(page: Page, name: string, times = 1) {
  for (let i = 0; i < times; i++) await page.getByRole('button', { name: `Add ${name} to cart` }).click();
}

export async function fillCustomer(page: Page) {
  await page.getByLabel('Name').fill('Ada Lovelace');
  await page.getByLabel('Phone').fill('+44 20 7946 0000');
  await page.getByLabel('Address').fill('12 Analytical Row, London');
}

export async function expectDelivered(page: Page) {
  const timeline = page.getByTestId('order-timeline');
  await expect(timeline.locator('li[data-status="delivered"]')).toHaveAttribute('data-state', 'current');
  for (const status of STEPS) await expect(timeline.locator(`li[data-status="${status}"] time`)).toHaveCount(1);
}
