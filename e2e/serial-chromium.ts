import { devices, type PlaywrightTestConfig } from '@playwright/test';

/** The system Chromium, one worker, no retries: what every browser suite here runs with. */
export const serialChromium = {
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
} satisfies PlaywrightTestConfig;

/** One Desktop Chrome project of the given name. */
export const chromeProject = (name: string) => [{ name, use: { ...devices['Desktop Chrome'] } }];
