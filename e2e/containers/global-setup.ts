import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort } from '@pizza/infra/testing';

const CLI = fileURLToPath(new URL('../../docker/stack/cli.mjs', import.meta.url));

function stack(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pnpm stack ${args.join(' ')} exited with ${code}`))));
  });
}

// Builds the images (reused when the sources did not change) and brings the stack up under its
// own project name and a free edge port; simulator steps of 1.5–2.5 s leave time to break
// things in the middle of a journey.
export default async function globalSetup() {
  const project = `pizza-ci-${process.pid}`;
  const env = {
    ...process.env,
    CONTAINER_ENGINE: 'podman',
    COMPOSE_PROJECT_NAME: project,
    EDGE_PORT: String(await freePort()),
    NOTIFICATIONS_REPLICAS: '2',
    GRAFANA_ADMIN_PASSWORD: randomUUID(),
    LOG_LEVEL: 'info',
    STREAM_CLAIM_IDLE_MS: '3000',
    WS_PING_INTERVAL_MS: '5000',
    WS_IDLE_TIMEOUT_MS: '15000',
    SIM_CONFIRM_DELAY_MS: '1500-2500',
    SIM_PREPARE_DELAY_MS: '1500-2500',
    SIM_PICKUP_DELAY_MS: '1500-2500',
    SIM_TRANSIT_DELAY_MS: '1500-2500',
  };
  const started = Date.now();
  await stack(['build', '--all'], env);
  console.log(`› every image target built or reused in ${Math.round((Date.now() - started) / 1000)} s`);
  try {
    await stack(['up', '--observability'], env);
  } catch (error) {
    await stack(['logs'], env).catch(() => undefined);
    await stack(['down', '--volumes'], env).catch(() => undefined);
    throw error;
  }
  console.log(`› stack up (images included) after ${Math.round((Date.now() - started) / 1000)} s`);
  process.env.E2E_CONTAINERS = JSON.stringify({ project, edge: `http://127.0.0.1:${env.EDGE_PORT}` });
  return async () => {
    await stack(['down', '--volumes'], env);
  };
}
