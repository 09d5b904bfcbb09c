import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = join(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/** The built entry points the bench runs (`pnpm build` makes them). */
export const BUILT = {
  allInOne: join(REPO_DIR, 'apps/server/dist/main.js'),
  webDist: join(REPO_DIR, 'apps/web/dist'),
  orderService: join(REPO_DIR, 'packages/api/dist/order-service.js'),
  notifications: join(REPO_DIR, 'packages/api/dist/notifications.js'),
  delivery: join(REPO_DIR, 'packages/workers/dist/delivery.js'),
  simulator: join(REPO_DIR, 'packages/workers/dist/simulator.js'),
};

export const BASELINE = {
  http: fileURLToPath(new URL('./baseline/http-server.mjs', import.meta.url)),
  ws: fileURLToPath(new URL('./baseline/ws-server.mjs', import.meta.url)),
  orders: fileURLToPath(new URL('./baseline/orders-server.mjs', import.meta.url)),
  streamLoop: fileURLToPath(new URL('./baseline/stream-loop.mjs', import.meta.url)),
};

/** The build outputs a run needs that are not there. */
export function missingBuilds(distributed: boolean): string[] {
  const needed = [BUILT.allInOne, join(BUILT.webDist, 'index.html')];
  if (distributed) needed.push(BUILT.orderService, BUILT.notifications, BUILT.delivery, BUILT.simulator);
  return needed.filter((path) => !existsSync(path));
}
