import { defineConfig, devices } from '@playwright/test';

// The distributed topology behind NGINX (see distributed/stack.ts). E2E_STORAGE=sqlite|mongo.
export default defineConfig({
  testDir: './distributed',
  outputDir: `../test-results/distributed-${process.env.E2E_STORAGE ?? 'sqlite'}`,
  globalSetup: './distributed/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 20_000 },
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
  projects: [{ name: `distributed-${process.env.E2E_STORAGE ?? 'sqlite'}`, use: { ...devices['Desktop Chrome'] } }],
});
