import { defineConfig } from '@playwright/test';
import { chromeProject, serialChromium } from './serial-chromium';

// The distributed stack in real containers (Podman here, as root; see docker/README.md):
// global-setup runs `pnpm stack up --observability` with its own project name and edge port,
// the tests kill and cut off containers, teardown removes everything it made.
export default defineConfig({
  testDir: './containers',
  outputDir: '../test-results/containers',
  globalSetup: './containers/global-setup.ts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  ...serialChromium,
  projects: chromeProject('containers'),
});
