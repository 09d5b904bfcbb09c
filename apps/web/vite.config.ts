import tailwindcss from '@tailwindcss/vite';
import { tanstackRouter } from '@tanstack/router-plugin/vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from './precompress';

// Dev only: where the Vite dev server forwards API and socket traffic (the built app is always served same-origin).
const apiTarget = process.env.VITE_API_TARGET ?? 'http://127.0.0.1:8003';
const wsTarget = process.env.VITE_WS_TARGET ?? 'ws://127.0.0.1:8002';

export default defineConfig({
  plugins: [
    // must run before react(): it rewrites route files for code splitting
    tanstackRouter({
      target: 'react',
      autoCodeSplitting: true,
      quoteStyle: 'single',
      // the menu is the landing page: it comes with the entry (no second round trip before it paints);
      // every other page loads its own chunk when it is visited
      codeSplittingOptions: { splitBehavior: ({ routeId }) => (routeId === '/' ? [] : undefined) },
    }),
    react(),
    tailwindcss(),
    precompress(),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    port: 3000,
    strictPort: true,
    proxy: {
      // the one /api route the notifications service serves (SSE tracking); listed before /api
      '^/api/v1/orders/[^/]+/events': { target: wsTarget.replace(/^ws/, 'http'), changeOrigin: true },
      '/api': { target: apiTarget, changeOrigin: true },
      '/ws': { target: wsTarget, ws: true, changeOrigin: true },
    },
  },
  preview: { port: 3000 },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      // @pizza/contracts only declares schemas and pure functions: modules the app does not use drop out
      treeshake: { moduleSideEffects: [{ test: /packages[\\/]contracts[\\/]/, sideEffects: false }] },
      output: {
        // framework code changes rarely: long-cached chunks of their own
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?(react|react-dom|scheduler)[\\/]/ },
            { name: 'tanstack', test: /node_modules[\\/].*@tanstack[\\/]/ },
            { name: 'trpc', test: /node_modules[\\/].*@trpc[\\/]/ },
            { name: 'ui-kit', test: /node_modules[\\/].*(tailwind-merge|class-variance-authority|clsx)[\\/]/ },
            // contracts' zod-free rules (stock levels, limits) are all the menu and cart need ...
            { name: 'rules', test: /packages[\\/]contracts[\\/]src[\\/]rules\.ts/, priority: 2 },
            // ... the schemas (and zod under them) load with the pages that use them (checkout, tracking)
            { name: 'contracts', test: /packages[\\/]contracts[\\/]|node_modules[\\/].*[\\/]zod[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
