import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // expect.poll gives up after 1 s by default: too short for cross-process delivery on a loaded machine
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 60_000,
  },
});
