import { defineConfig } from 'tsup';

// Bundles each service entry with the workspace packages; npm dependencies stay external.
export default defineConfig({
  entry: { 'order-service': 'src/order-service/main.ts', notifications: 'src/notifications/main.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  noExternal: [/^@pizza\//],
  sourcemap: true,
  clean: true,
});
