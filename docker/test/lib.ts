// Shared helpers of the docker/ validation tests: paths, YAML, tools, processes, ports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const DOCKER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(DOCKER_DIR, '..');

export const docker = (...parts: string[]) => join(DOCKER_DIR, ...parts);
export const readText = (path: string) => readFileSync(path, 'utf8');

/** YAML 1.2 with `<<` merge keys (compose files use anchors and merges). */
export function readYaml<T = Record<string, unknown>>(path: string): T {
  return parse(readText(path), { merge: true, strict: true, uniqueKeys: true }) as T;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readText(path)) as T;
}

const TOOL_HINTS: Record<string, string> = {
  nginx: 'apt-get install -y nginx',
  promtool: "apt-get install -y prometheus (Debian's package ships promtool)",
  envsubst: 'apt-get install -y gettext-base',
};

/**
 * The path of a tool the tests need. A missing tool FAILS the test (CI installs them): set
 * <NAME>_BIN to point elsewhere. /usr/sbin is searched too (it is not on every user's PATH).
 */
export function requireTool(name: string): string {
  const override = process.env[`${name.toUpperCase()}_BIN`];
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/bin',
    '/usr/local/bin',
  ];
  const candidates = override ? [override] : dirs.filter(Boolean).map((d) => join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error(
    `${name} is required by the docker/ tests and was not found. Install it: ${TOOL_HINTS[name] ?? name}`,
  );
}

export function run(
  bin: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000, ...options });
  if (result.error) throw result.error;
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: `${result.stdout}${result.stderr}`,
  };
}

export { freePort } from '@pizza/infra/testing';

export interface RunningNginx {
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground and waits until `probe` answers (any HTTP status). */
export async function startNginx(bin: string, args: string[], probe: string): Promise<RunningNginx> {
  let stderr = '';
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await once(child, 'exit');
    clearTimeout(timer);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    try {
      await fetch(probe);
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not answer ${probe} within 15 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { process: child, stderr: () => stderr, stop };
}

export const exists = (path: string) => existsSync(path);

// ------------------------------------------------------------------ compose

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  labels?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  deploy?: { replicas?: number | string };
  [key: string]: unknown;
}
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const COMPOSE = docker('compose.yaml');
export const COMPOSE_OBSERVABILITY = docker('compose.observability.yaml');

/** The two compose files merged the way `docker compose -f a -f b` does for what we use. */
export function mergedCompose(): ComposeFile {
  const base = readYaml<ComposeFile>(COMPOSE);
  const extra = readYaml<ComposeFile>(COMPOSE_OBSERVABILITY);
  const services: Record<string, ComposeService> = structuredClone(base.services);
  for (const [name, svc] of Object.entries(extra.services)) {
    const prev = services[name];
    services[name] = prev
      ? {
          ...prev,
          ...svc,
          environment: { ...(prev.environment ?? {}), ...(svc.environment ?? {}) },
          depends_on: { ...(prev.depends_on ?? {}), ...(svc.depends_on ?? {}) },
          // compose merges build mappings key by key (the observability file adds only args)
          ...(prev.build || svc.build
            ? { build: { ...prev.build!, ...svc.build, ...(prev.build?.args || svc.build?.args ? { args: { ...prev.build?.args, ...svc.build?.args } } : {}) } }
            : {}),
        }
      : svc;
  }
  return { ...base, services, volumes: { ...(base.volumes ?? {}), ...(extra.volumes ?? {}) } };
}

/** Compose interpolation of `${NAME:-default}` / `${NAME}` with an empty host environment. */
export function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
    (_, name: string, def?: string) => env[name] ?? def ?? '',
  );
}

export function environmentOf(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v ?? ''))]),
  );
}
