import { defineConfig } from 'tsup';

// Bundles each worker entry with the workspace packages; npm dependencies stay external.
export default defineConfig({
  entry: { delivery: 'src/delivery/main.ts', simulator: 'src/simulator/main.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  noExternal: [/^@pizza\//],
  sourcemap: true,
  clean: true,
});
