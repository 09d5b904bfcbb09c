import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startMongoServer, startRedisServer, waitForPort } from '@pizza/infra/testing';
import { renderNginx } from '../../docker/nginx/render.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where each piece of the distributed stack listens (all on loopback). */
export interface StackAddresses {
  edge: string;
  orderService: string;
  notifications: [string, string];
  delivery: string;
  simulator: string;
  web: string;
  prometheus: string;
}

/** The edge's order rate limit per client address in this stack (every test here shares one address). */
export const ORDER_LIMIT = { perSecond: 10, burst: 20 };

/** The order service's ADMIN_TOKEN in this stack (the operations API behind NGINX). */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

const SIM = { SIM_CONFIRM_DELAY_MS: '300-500', SIM_PREPARE_DELAY_MS: '300-500', SIM_PICKUP_DELAY_MS: '300-500', SIM_TRANSIT_DELAY_MS: '300-500' };

/**
 * The distributed topology without Docker: every service from its built output as its own
 * process, a real Redis, SQLite or MongoDB (jongodb test server), real Prometheus, and the
 * project's NGINX config in front, with two notifications replicas behind it.
 */
export async function startStack(storage: 'sqlite' | 'mongo') {
  const dir = mkdtempSync(join(tmpdir(), `pizza-stack-${storage}-`));
  const children: ChildProcess[] = [];
  const stops: (() => Promise<void>)[] = [];
  const logs: string[] = [];

  const redis = await startRedisServer();
  stops.push(() => redis.stop());
  let databaseUrl = `sqlite:${join(dir, 'pizza.db')}`;
  if (storage === 'mongo') {
    const mongo = await startMongoServer(`pizza_e2e_${Date.now()}`);
    stops.push(() => mongo.stop());
    databaseUrl = mongo.url;
  }

  const run = async (name: string, entry: string, extraEnv: Record<string, string> = {}) => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, entry)], {
      cwd: ROOT,
      env: { ...process.env, ...SIM, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, REDIS_URL: redis.url, STREAM_CLAIM_IDLE_MS: '2000', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout!.on('data', (c: Buffer) => logs.push(`[${name}] ${c.toString()}`));
    child.stderr!.on('data', (c: Buffer) => logs.push(`[${name}] ${c.toString()}`));
    return `127.0.0.1:${port}`;
  };

  // the order service creates the schema and seeds the menu before the others share the store
  const orderService = await run('order-service', 'packages/api/dist/order-service.js', { ADMIN_TOKEN: E2E_ADMIN_TOKEN });
  await waitForHealth(`http://${orderService}`, logs);
  const [notificationsA, notificationsB, delivery, simulator, web] = await Promise.all([
    run('notifications-1', 'packages/api/dist/notifications.js'),
    run('notifications-2', 'packages/api/dist/notifications.js'),
    run('delivery', 'packages/workers/dist/delivery.js'),
    run('simulator', 'packages/workers/dist/simulator.js'),
    run('web', 'apps/server/dist/web.js'),
  ]);
  const services = { orderService, notifications: [notificationsA, notificationsB] as [string, string], delivery, simulator, web };

  const prometheusPort = await freePort();
  const prometheusConfig = join(dir, 'prometheus.yml');
  writeFileSync(
    prometheusConfig,
    // the alert rules the compose stack loads, evaluated often enough for a test to see them run
    `global: { scrape_interval: 2s, evaluation_interval: 2s }\nrule_files: ['${join(ROOT, 'docker', 'prometheus', 'rules', 'alerts.yml')}']\nscrape_configs:\n  - job_name: pizza\n    static_configs:\n      - targets: [${[orderService, notificationsA, notificationsB, delivery, simulator].map((t) => `'${t}'`).join(', ')}]\n`,
  );
  const prometheus = spawn('prometheus', [
    `--config.file=${prometheusConfig}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`,
    '--web.route-prefix=/',
    '--web.external-url=/prometheus/',
  ], { stdio: 'ignore' });
  children.push(prometheus);

  const edgePort = await freePort();
  const nginxDir = join(dir, 'nginx');
  const { args } = renderNginx(nginxDir, {
    NGINX_LISTEN: `127.0.0.1:${edgePort}`,
    ORDER_SERVICE_ADDR: orderService,
    // two replicas: the template names one server, the second `server` line rides along
    NOTIFICATIONS_ADDR: `${notificationsA}; server ${notificationsB}`,
    WEB_ADDR: web,
    PROMETHEUS_ADDR: `127.0.0.1:${prometheusPort}`,
    GRAFANA_ADDR: `127.0.0.1:${await freePort()}`,
    ORDER_CREATE_RATE: `${ORDER_LIMIT.perSecond}r/s`,
    ORDER_CREATE_BURST: String(ORDER_LIMIT.burst),
  }) as { args: string[] };
  const nginx = spawn('nginx', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx.stderr!.on('data', (c: Buffer) => logs.push(`[nginx] ${c.toString()}`));
  children.push(nginx);

  const addresses: StackAddresses = { edge: `http://127.0.0.1:${edgePort}`, prometheus: `127.0.0.1:${prometheusPort}`, ...services };
  try {
    await waitForPort(edgePort, 15_000);
    await waitForPort(prometheusPort, 15_000);
    for (const address of [...services.notifications, delivery, simulator, web]) await waitForHealth(`http://${address}`, logs);
    await waitForHealth(addresses.edge, logs);
  } catch (error) {
    await stop();
    throw error;
  }

  async function stop() {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const s of stops.reverse()) await s();
  }
  return { addresses, logs, stop };
}

async function waitForHealth(base: string, logs: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${base} not healthy within ${timeoutMs} ms\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
