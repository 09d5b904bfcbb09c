import { defineConfig } from '@playwright/test';
import { chromeProject, serialChromium } from './serial-chromium';

// The distributed topology behind NGINX (see distributed/stack.ts). E2E_STORAGE=sqlite|mongo.
export default defineConfig({
  testDir: './distributed',
  outputDir: `../test-results/distributed-${process.env.E2E_STORAGE ?? 'sqlite'}`,
  globalSetup: './distributed/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 20_000 },
  ...serialChromium,
  projects: chromeProject(`distributed-${process.env.E2E_STORAGE ?? 'sqlite'}`),
});
