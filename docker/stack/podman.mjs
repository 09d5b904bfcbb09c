// The compose model run on Podman without a compose tool: one network with DNS (the CNI dnsname
// plugin), named volumes, containers started in dependency order with the same settings compose
// gives them, and health checks run by this process (Podman here has no systemd timers for them).
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { dependencies, startOrder } from './compose-files.mjs';
import { StackError } from './errors.mjs';

const exec = promisify(execFile);

/** Runs podman; resolves with stdout, rejects with its stderr in the message. */
export async function podman(args, { timeout = 120_000 } = {}) {
  try {
    const { stdout } = await exec('podman', args, { timeout, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const detail = String(error.stderr || error.message).trim().split('\n').at(-1);
    throw Object.assign(new Error(`podman ${args[0]} ${args[1] ?? ''}: ${detail}`), { code: error.code });
  }
}

const duration = (text) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text));
  return m ? `${m[1]}${m[2] ?? 's'}` : undefined;
};
const networkName = (project) => `${project}_default`;
const containerName = (project, service, index) => `${project}-${service}-${index}`;

/** Compose's healthcheck test in podman's terms: a JSON array runs as is, a string through sh -c. */
function healthCommand(test) {
  if (!Array.isArray(test)) return test;
  const [kind, ...rest] = test;
  if (kind === 'CMD') return JSON.stringify(rest);
  if (kind === 'CMD-SHELL') return rest.join(' ');
  return 'none';
}

/** The `podman run` arguments for one replica of a service. */
export function runArgs(project, name, service, index) {
  const args = ['run', '-d', '--pull=never', '--name', containerName(project, name, index)];
  args.push('--network', networkName(project), '--network-alias', name, '--hostname', `${name}-${index}`);
  args.push('--label', `com.docker.compose.project=${project}`, '--label', `com.docker.compose.service=${name}`);
  for (const [k, v] of Object.entries(service.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (service.restart) args.push('--restart', service.restart === 'no' ? 'no' : service.restart);
  if (service.init) args.push('--init');
  if (service.read_only) args.push('--read-only');
  if (service.user) args.push('--user', String(service.user));
  for (const g of service.group_add ?? []) args.push('--group-add', String(g));
  // Podman ignores a tmpfs mode (Docker's default is 1777): give the directory to the user instead.
  for (const t of service.tmpfs ?? []) args.push('--mount', `type=tmpfs,destination=${t.split(':')[0]},chown=true`);
  for (const c of service.cap_drop ?? []) args.push('--cap-drop', c);
  for (const c of service.cap_add ?? []) args.push('--cap-add', c);
  for (const s of service.security_opt ?? []) args.push('--security-opt', s.replace(/^no-new-privileges:true$/, 'no-new-privileges'));
  if (service.stop_grace_period) args.push('--stop-timeout', String(parseInt(service.stop_grace_period, 10)));
  for (const [k, v] of Object.entries(service.environment ?? {})) args.push('-e', `${k}=${v}`);
  for (const v of service.volumes ?? []) args.push('-v', v.startsWith('/') ? v : `${project}_${v}`);
  for (const p of service.ports ?? []) args.push('-p', String(p));
  const hc = service.healthcheck;
  if (hc?.test) {
    args.push('--health-cmd', healthCommand(hc.test));
    if (duration(hc.interval)) args.push('--health-interval', duration(hc.interval));
    if (duration(hc.timeout)) args.push('--health-timeout', duration(hc.timeout));
    if (duration(hc.start_period)) args.push('--health-start-period', duration(hc.start_period));
    if (hc.retries) args.push('--health-retries', String(hc.retries));
  }
  if (service.entrypoint) args.push('--entrypoint', JSON.stringify([service.entrypoint].flat()));
  args.push(service.image);
  if (service.command) args.push(...(Array.isArray(service.command) ? service.command : ['sh', '-c', service.command]));
  return args;
}

/** Containers of the project, as podman lists them. */
export async function projectContainers(project) {
  const out = await podman(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', 'json']);
  return JSON.parse(out || '[]').map((c) => ({
    name: c.Names[0],
    service: c.Labels?.['com.docker.compose.service'],
    image: c.Image,
    state: c.State,
    ports: (c.Ports ?? []).map((p) => `${p.host_ip || '0.0.0.0'}:${p.host_port}->${p.container_port}`).join(', '),
  }));
}

/**
 * The container's health check run now: 'healthy', 'unhealthy' (after as many failures in a row as
 * its retries, as an engine would count them), 'running' (no check) or the container's state.
 */
export async function checkHealth(name) {
  const inspect = JSON.parse(await podman(['inspect', name, '--format', 'json']))[0];
  if (inspect.State.Status !== 'running') return inspect.State.Status;
  const check = inspect.Config?.Healthcheck;
  if (!check?.Test?.length || check.Test[0] === 'NONE') return 'running';
  for (let attempt = 1; attempt <= Math.max(1, check.Retries ?? 3); attempt++) {
    try {
      await podman(['healthcheck', 'run', name], { timeout: 60_000 });
      return 'healthy';
    } catch {
      if (attempt > 1) await sleep(1000);
    }
  }
  return 'unhealthy';
}

async function exitCode(name) {
  const inspect = JSON.parse(await podman(['inspect', name, '--format', 'json']))[0];
  return inspect.State.Status === 'exited' ? inspect.State.ExitCode : undefined;
}

/** Waits until the condition of depends_on holds for every replica of a service. */
async function waitFor(containers, condition, deadline, log) {
  for (const name of containers) {
    for (;;) {
      if (condition === 'service_completed_successfully') {
        const code = await exitCode(name);
        if (code === 0) break;
        if (code !== undefined) throw new StackError(`${name} exited with code ${code}: see \`pnpm stack logs\``);
      } else {
        const health = await checkHealth(name);
        if (health === 'healthy' || (condition === 'service_started' && health !== 'exited')) break;
        if (health === 'running' && condition !== 'service_healthy') break;
        if (health === 'running') throw new StackError(`${name} has no health check, yet another service waits for it to be healthy`);
        if (health === 'exited') {
          const tail = (await podman(['logs', '--tail', '1', name]).catch(() => '')).trim().slice(0, 200);
          throw new StackError(`${name} stopped while starting${tail ? `: ${tail}` : ''}`);
        }
      }
      if (Date.now() > deadline) {
        const tail = (await podman(['logs', '--tail', '1', name]).catch(() => '')).trim().slice(0, 200);
        throw new StackError(`${name} did not become healthy in time${tail ? ` (last log line: ${tail})` : ''}: see \`pnpm stack logs\``);
      }
      log?.(name);
      await sleep(1000);
    }
  }
}

const replicas = (service) => Math.max(0, parseInt(service.deploy?.replicas ?? '1', 10));

/**
 * Starts every service of the model (profiles excluded), each after its dependencies meet their
 * conditions, then waits until every container is healthy. Existing containers of the project are
 * replaced; volumes are kept.
 */
export async function up(project, model, { timeoutMs = 300_000, onWait } = {}) {
  await down(project, { keepNetwork: true });
  const services = Object.fromEntries(Object.entries(model.services).filter(([, s]) => !s.profiles?.length));
  const deadline = Date.now() + timeoutMs;
  if (!(await podman(['network', 'ls', '--format', '{{.Name}}'])).split('\n').includes(networkName(project))) {
    await podman(['network', 'create', '--label', `com.docker.compose.project=${project}`, networkName(project)]);
  }
  const existing = new Set((await podman(['volume', 'ls', '--format', '{{.Name}}'])).split('\n'));
  for (const volume of Object.keys(model.volumes ?? {})) {
    const name = `${project}_${volume}`;
    if (!existing.has(name)) await podman(['volume', 'create', '--label', `com.docker.compose.project=${project}`, name]);
  }
  const started = {};
  for (const name of startOrder(services)) {
    const service = services[name];
    for (const [dep, { condition }] of Object.entries(dependencies(service))) {
      if (started[dep]) await waitFor(started[dep], condition, deadline, onWait);
    }
    started[name] = [];
    for (let i = 1; i <= replicas(service); i++) {
      await podman(runArgs(project, name, service, i));
      started[name].push(containerName(project, name, i));
    }
  }
  for (const containers of Object.values(started)) await waitFor(containers, 'service_healthy_or_running', deadline, onWait);
  return started;
}

/** Removes the project's containers and network (and its volumes when asked). */
export async function down(project, { volumes = false, keepNetwork = false } = {}) {
  const names = (await projectContainers(project)).map((c) => c.name);
  if (names.length) await podman(['rm', '-f', '-t', '10', ...names], { timeout: 180_000 });
  if (!keepNetwork) await podman(['network', 'rm', '-f', networkName(project)]).catch(() => undefined);
  if (!volumes) return;
  const owned = (await podman(['volume', 'ls', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Name}}'])).split('\n').filter(Boolean);
  if (owned.length) await podman(['volume', 'rm', '-f', ...owned]);
}
