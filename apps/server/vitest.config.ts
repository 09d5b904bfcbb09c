import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // expect.poll gives up after 1 s by default: too short for cross-process delivery on a loaded machine
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    // black-box tests start real processes; running files in parallel on 2 cores only adds noise
    fileParallelism: false,
  },
});
