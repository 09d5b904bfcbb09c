import { defineConfig } from 'tsup';

// The all-in-one process (and the web app alone, for the distributed topology), bundled with the workspace packages; npm dependencies stay external.
export default defineConfig({
  entry: { main: 'src/main.ts', web: 'src/web.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  noExternal: [/^@pizza\//],
  sourcemap: true,
  clean: true,
});
