import { defineConfig } from 'tsup';

// The all-in-one process, bundled with the workspace packages; npm dependencies stay external.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  noExternal: [/^@pizza\//],
  sourcemap: true,
  clean: true,
});
