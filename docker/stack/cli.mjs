#!/usr/bin/env node
// pnpm stack <up|down|status|logs|build> — the distributed stack of docker/ in containers.
//
//   up [--observability]   build what changed, start everything, wait until every container is
//                          healthy, print what runs where (exit 0 only then)
//   down [--volumes]       stop and remove the containers (and the data volumes)
//   status                 every container with a fresh health check
//   logs [service…] [-f]   the containers' logs
//   build [--all]          build the service images (--all: every Dockerfile target)
//
// Docker compose where a Docker engine answers, Podman otherwise; CONTAINER_ENGINE=docker|podman
// chooses. The edge listens on 127.0.0.1:${EDGE_PORT:-8080}. Under Podman the images this
// machine cannot pull are made by docker/local-images.sh, and docker/compose.podman.yaml adapts
// the stack to them (see docker/README.md).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MissingVariableError, loadCompose } from './compose-files.mjs';
import { StackError } from './errors.mjs';
import { TARGETS, ensureImages, imageName } from './images.mjs';
import { checkHealth, down, podman, projectContainers, up } from './podman.mjs';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCKER_DIR = join(ROOT, 'docker');
const PROJECT = process.env.COMPOSE_PROJECT_NAME || 'pizza-express';
const EDGE_ADDRESS = process.env.EDGE_ADDRESS || '127.0.0.1';
const EDGE_PORT = Number(process.env.EDGE_PORT || 8080);
/** Services of the observability file whose images may be missing here; the stack runs without them. */
const OPTIONAL = new Set(['grafana', 'loki', 'alloy', 'tempo']);

const say = (line) => console.log(`› ${line}`);
/** Build progress: podman's step lines only, one per line, shortened. */
const buildSteps = (chunk) => {
  for (const line of String(chunk).split('\n')) if (/STEP \d+\/\d+:/.test(line)) console.log(`    ${line.trim().slice(0, 110)}`);
};

async function succeeds(cmd, args) {
  try {
    await exec(cmd, args, { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

async function detectEngine() {
  const chosen = process.env.CONTAINER_ENGINE;
  if (chosen && chosen !== 'docker' && chosen !== 'podman') throw new StackError(`CONTAINER_ENGINE=${chosen} is not supported: use docker or podman`);
  if (chosen !== 'podman' && (await succeeds('docker', ['info']))) {
    if (!(await succeeds('docker', ['compose', 'version']))) throw new StackError('Docker runs but has no compose plugin: install docker-compose-plugin (or set CONTAINER_ENGINE=podman)');
    return 'docker';
  }
  if (chosen === 'docker') throw new StackError('CONTAINER_ENGINE=docker but no Docker engine answers: start Docker (docker info) or unset CONTAINER_ENGINE');
  if (await succeeds('podman', ['--version'])) return 'podman';
  throw new StackError('no container engine found: install Docker with the compose plugin, or Podman (on Debian, as root: bash docker/local-images.sh)');
}

function composeFiles(engine, observability) {
  const files = ['compose.yaml'];
  if (observability) files.push('compose.observability.yaml');
  if (engine === 'podman') files.push('compose.podman.yaml');
  return files.map((f) => join(DOCKER_DIR, f));
}

function checkPortFree() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) =>
      reject(
        new StackError(
          error.code === 'EADDRINUSE'
            ? `port ${EDGE_ADDRESS}:${EDGE_PORT} is taken by another program: stop it or choose another port (EDGE_PORT=8081 pnpm stack up)`
            : `cannot listen on ${EDGE_ADDRESS}:${EDGE_PORT} (${error.code}): set EDGE_ADDRESS/EDGE_PORT`,
        ),
      ),
    );
    server.listen(EDGE_PORT, EDGE_ADDRESS, () => server.close(() => resolve()));
  });
}

function checkSecrets(observability) {
  if (observability && !process.env.GRAFANA_ADMIN_PASSWORD) {
    throw new StackError('GRAFANA_ADMIN_PASSWORD is not set: the observability stack has no default Grafana admin password (export GRAFANA_ADMIN_PASSWORD=… and run again)');
  }
}

function printWhere(rows, observability) {
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) console.log(`  ${r.name.padEnd(width)}  ${r.health.padEnd(9)}  ${r.image}${r.ports ? `  ${r.ports}` : ''}`);
  const edge = `http://${EDGE_ADDRESS}:${EDGE_PORT}`;
  console.log(`\n  app         ${edge}/\n  API docs    ${edge}/api/docs\n  health      ${edge}/api/v1/health/services`);
  if (observability) console.log(`  Prometheus  ${edge}/prometheus/\n  Grafana     ${edge}/grafana/ (when its image is available)`);
}

// ------------------------------------------------------------------ Podman

function hostSetup() {
  if (process.getuid?.() !== 0) throw new StackError('Podman needs root here (networks, images made with debootstrap): run as root, or use Docker');
  const r = spawnSync('bash', [join(DOCKER_DIR, 'local-images.sh')], { encoding: 'utf8', env: process.env });
  for (const line of `${r.stdout}`.split('\n').filter((l) => l.startsWith('› making') || l.startsWith('› installing'))) console.log(line);
  if (r.status !== 0) throw new StackError(`host setup failed (docker/local-images.sh): ${`${r.stderr}`.trim().split('\n').at(-1)}`);
}

async function imageAvailable(image) {
  if (await succeeds('podman', ['image', 'exists', image])) return true;
  return succeeds('timeout', ['30', 'podman', 'pull', '-q', image]);
}

/**
 * `build.args` of a compose service as a map, whether written as a map or as a list of KEY=VALUE;
 * a key without a value takes it from the environment, as compose does (left out when unset).
 */
function buildArgsOf(args, env) {
  const entries = Array.isArray(args)
    ? args.map((entry) => {
        const [key, ...value] = String(entry).split('=');
        return [key, value.length ? value.join('=') : null];
      })
    : Object.entries(args);
  const map = {};
  for (const [key, value] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const resolved = value ?? env[key];
    if (resolved !== undefined && resolved !== null) map[key] = String(resolved);
  }
  return map;
}

async function podmanUp(observability) {
  if (process.getuid?.() !== 0) throw new StackError('Podman needs root here (networks, images made with debootstrap): run as root, or use Docker');
  await down(PROJECT, { keepNetwork: true });
  await checkPortFree();
  hostSetup();
  const env = { ...process.env, EDGE_ADDRESS, EDGE_PORT: String(EDGE_PORT) };
  if (observability) env.PROMETHEUS_ADDR ||= 'prometheus:9090';
  let model = loadCompose(composeFiles('podman', observability), env);
  const skipped = [];
  for (const name of Object.keys(model.services)) {
    const service = model.services[name];
    if (OPTIONAL.has(name) && !(await imageAvailable(service.image))) skipped.push(`${name} (${service.image})`);
  }
  if (skipped.length) say(`not available on this machine, not started: ${skipped.join(', ')}`);
  if (observability && !skipped.some((s) => s.startsWith('grafana '))) env.GRAFANA_ADDR ||= 'grafana:3000';
  model = loadCompose(composeFiles('podman', observability), env);
  for (const s of skipped) model.services[s.split(' ')[0]].profiles = ['unavailable'];
  const tempoSkipped = skipped.some((s) => s.startsWith('tempo '));
  const traceUiSkipped = tempoSkipped || skipped.some((s) => s.startsWith('grafana '));
  for (const service of Object.values(model.services)) {
    if (service.build?.args) service.build.args = buildArgsOf(service.build.args, env);
    if (service.depends_on && !Array.isArray(service.depends_on)) for (const s of skipped) delete service.depends_on[s.split(' ')[0]];
    // no trace backend here: tracing stays off rather than exporting to a name nothing answers
    if (tempoSkipped && service.environment) delete service.environment.OTEL_EXPORTER_OTLP_ENDPOINT;
    // and the dev tools link no order to a trace UI that is not running
    if (traceUiSkipped && service.build?.args) delete service.build.args.VITE_TRACE_URL;
  }

  const building = Object.values(model.services).filter((s) => s.build && !s.profiles?.length);
  const targets = [...new Set(building.map((s) => s.build.target))];
  // per target: services that build one target with different args would need images of their own
  const buildArgs = {};
  for (const s of building.filter((s) => s.build.args)) {
    const previous = buildArgs[s.build.target];
    if (previous && JSON.stringify(previous) !== JSON.stringify(s.build.args)) throw new StackError(`two services build the image ${s.build.target} with different build args: give one of them its own target`);
    buildArgs[s.build.target] = s.build.args;
  }
  const built = await ensureImages(ROOT, targets, { log: say, onOutput: buildSteps, buildArgs });
  say(`images: ${Object.entries(built).map(([t, how]) => `${t} ${how}`).join(', ')}`);
  say('starting containers and waiting until every one is healthy');
  await up(PROJECT, model);
  const rows = await Promise.all((await projectContainers(PROJECT)).map(async (c) => ({ ...c, health: await checkHealth(c.name) })));
  const bad = rows.filter((r) => r.health !== 'healthy' && r.health !== 'running');
  if (bad.length) throw new StackError(`not healthy: ${bad.map((r) => `${r.name} (${r.health})`).join(', ')}`);
  say(`stack ${PROJECT} is up (Podman):`);
  printWhere(rows, observability);
}

async function podmanStatus() {
  const containers = await projectContainers(PROJECT);
  if (!containers.length) return void say(`stack ${PROJECT} is not running`);
  const rows = await Promise.all(containers.map(async (c) => ({ ...c, health: await checkHealth(c.name) })));
  printWhere(rows, rows.some((r) => r.service === 'prometheus'));
  if (rows.some((r) => r.health !== 'healthy' && r.health !== 'running')) process.exitCode = 1;
}

async function podmanLogs(services, follow) {
  const containers = (await projectContainers(PROJECT)).filter((c) => !services.length || services.includes(c.service));
  if (!containers.length) throw new StackError(`no containers${services.length ? ` of ${services.join(', ')}` : ''} in stack ${PROJECT}`);
  await Promise.all(
    containers.map(
      (c) =>
        new Promise((resolve) => {
          const child = spawn('podman', ['logs', ...(follow ? ['-f'] : ['--tail', '200']), c.name], { stdio: ['ignore', 'pipe', 'pipe'] });
          let last = '';
          const prefix = (chunk) => {
            const lines = (last + chunk).split('\n');
            last = lines.pop();
            for (const line of lines) console.log(`${c.name} | ${line}`);
          };
          child.stdout.on('data', prefix);
          child.stderr.on('data', prefix);
          child.on('close', resolve);
        }),
    ),
  );
}

// ------------------------------------------------------------------ Docker

function dockerCompose(args, observability) {
  const files = composeFiles('docker', observability).flatMap((f) => ['-f', f]);
  const r = spawnSync('docker', ['compose', '-p', PROJECT, ...files, ...args], { stdio: 'inherit', env: { ...process.env, EDGE_ADDRESS, EDGE_PORT: String(EDGE_PORT) } });
  return r.status ?? 1;
}

async function dockerUp(observability) {
  await checkPortFree();
  if (dockerCompose(['up', '-d', '--build', '--wait', '--wait-timeout', '300'], observability) !== 0) {
    throw new StackError('docker compose up failed or a container is not healthy: see the lines above and `pnpm stack logs`');
  }
  say(`stack ${PROJECT} is up (Docker):`);
  dockerCompose(['ps'], observability);
  printWhere([], observability);
}

// ------------------------------------------------------------------ main

async function main(argv) {
  const [command = 'status', ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('-')));
  const names = rest.filter((a) => !a.startsWith('-'));
  const observability = flags.has('--observability');
  if (!['up', 'down', 'status', 'logs', 'build'].includes(command)) throw new StackError(`unknown command "${command}": use up [--observability], down [--volumes], status, logs [service…] [-f], build [--all]`);
  if (command === 'up') checkSecrets(observability);
  const engine = await detectEngine();
  process.env.CONTAINERS_CONF ||= join(DOCKER_DIR, 'podman/containers.conf');
  process.env.BUILDAH_FORMAT = 'docker';
  if (engine === 'docker') {
    if (command === 'up') return dockerUp(observability);
    // --remove-orphans: the observability containers too, without needing its password to parse it
    if (command === 'down') return void (process.exitCode = dockerCompose(['down', '--remove-orphans', ...(flags.has('--volumes') ? ['--volumes'] : [])], false));
    if (command === 'status') {
      const ps = ['ps', '--all', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', 'table {{.Names}}\t{{.Status}}\t{{.Image}}\t{{.Ports}}'];
      return void (process.exitCode = spawnSync('docker', ps, { stdio: 'inherit' }).status ?? 1);
    }
    if (command === 'logs') return void (process.exitCode = dockerCompose(['logs', ...(flags.has('-f') ? ['-f'] : []), ...names], false));
    let status = dockerCompose(['build'], false);
    if (status === 0 && flags.has('--all')) status = spawnSync('docker', ['build', '-f', join(DOCKER_DIR, 'Dockerfile'), '--target', 'server', '-t', imageName('server'), ROOT], { stdio: 'inherit' }).status ?? 1;
    return void (process.exitCode = status);
  }
  if (command === 'up') return podmanUp(observability);
  if (command === 'down') {
    await down(PROJECT, { volumes: flags.has('--volumes') });
    return say(`stack ${PROJECT} removed${flags.has('--volumes') ? ' with its volumes' : ' (volumes kept; --volumes removes them)'}`);
  }
  if (command === 'status') return podmanStatus();
  if (command === 'logs') return podmanLogs(names, flags.has('-f'));
  hostSetup();
  const targets = flags.has('--all') ? TARGETS : TARGETS.filter((t) => t !== 'server');
  const built = await ensureImages(ROOT, targets, { log: say, onOutput: buildSteps });
  say(`images: ${Object.entries(built).map(([t, how]) => `${t} ${how}`).join(', ')}`);
}

main(process.argv.slice(2)).catch((error) => {
  const known = error instanceof StackError || error instanceof MissingVariableError;
  console.error(`pnpm stack: ${known ? error.message : `failed: ${String(error.message).split('\n')[0]}`}`);
  process.exitCode = 1;
});

export { podman };
