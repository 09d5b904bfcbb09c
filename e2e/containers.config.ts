import { defineConfig, devices } from '@playwright/test';

// The distributed stack in real containers (Podman here, as root; see docker/README.md):
// global-setup runs `pnpm stack up --observability` with its own project name and edge port,
// the tests kill and cut off containers, teardown removes everything it made.
export default defineConfig({
  testDir: './containers',
  outputDir: '../test-results/containers',
  globalSetup: './containers/global-setup.ts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
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
  projects: [{ name: 'containers', use: { ...devices['Desktop Chrome'] } }],
});
