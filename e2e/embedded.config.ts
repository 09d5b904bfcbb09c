import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { chromeProject, serialChromium } from './serial-chromium';

const PORT = Number(process.env.E2E_PORT ?? 3310);
const dataDir = mkdtempSync(join(tmpdir(), 'pizza-e2e-'));

// Browser tests run against the built all-in-one process with tiny simulator delays.
export default defineConfig({
  testDir: './embedded',
  outputDir: '../test-results/embedded',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  ...serialChromium,
  use: { ...serialChromium.use, baseURL: `http://127.0.0.1:${PORT}` },
  projects: chromeProject('chromium'),
  webServer: {
    command: 'node ../apps/server/dist/main.js',
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    url: `http://127.0.0.1:${PORT}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dataDir, 'pizza.db')}`,
      LOG_LEVEL: 'warn',
      SIM_CONFIRM_DELAY_MS: '300-500',
      SIM_PREPARE_DELAY_MS: '300-500',
      SIM_PICKUP_DELAY_MS: '300-500',
      SIM_TRANSIT_DELAY_MS: '300-500',
    },
  },
});
