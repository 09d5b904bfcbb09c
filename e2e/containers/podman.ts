import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const env = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? fileURLToPath(new URL('../../docker/podman/containers.conf', import.meta.url)) };

/** The stack global-setup started: its compose project name and the edge's base URL. */
export function stackUnderTest(): { project: string; edge: string } {
  const raw = process.env.E2E_CONTAINERS;
  if (!raw) throw new Error('E2E_CONTAINERS is not set: run through containers.config.ts');
  return JSON.parse(raw) as { project: string; edge: string };
}

export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await exec('podman', args, { env, timeout: 60_000, maxBuffer: 16 << 20 });
  return stdout.trim();
}

export interface Container {
  name: string;
  service: string;
}

export async function containers(): Promise<Container[]> {
  const out = await podman('ps', '-a', '--filter', `label=com.docker.compose.project=${stackUnderTest().project}`, '--format', 'json');
  return (JSON.parse(out || '[]') as { Names: string[]; Labels: Record<string, string> }[])
    .map((c) => ({ name: c.Names[0]!, service: c.Labels['com.docker.compose.service']! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The one container of a service (replica 1). */
export const containerOf = (service: string) => `${stackUnderTest().project}-${service}-1`;

/** Runs the container's own HEALTHCHECK once (Podman here has no timer that runs it). */
export async function healthy(name: string): Promise<boolean> {
  try {
    await podman('healthcheck', 'run', name);
    return true;
  } catch {
    return false;
  }
}

export interface Inspected {
  State: { Status: string; Pid: number };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; SecurityOpt: string[] | null };
  EffectiveCaps: string[] | null;
  Config: { User: string };
}

export async function inspect(name: string): Promise<Inspected> {
  return (JSON.parse(await podman('inspect', name, '--format', 'json')) as Inspected[])[0]!;
}

/**
 * The HTTP status a node service's own endpoint answers inside its container (0 when it does not
 * answer within 3 s): what its neighbours on the container network would see.
 */
export async function statusInside(name: string, port: number, path: string): Promise<number> {
  const script = `fetch('http://127.0.0.1:${port}${path}',{signal:AbortSignal.timeout(3000)}).then(r=>console.log(r.status),()=>console.log(0))`;
  try {
    return Number(await podman('exec', name, 'node', '-e', script));
  } catch {
    return 0;
  }
}

/** The /metrics page of a node service container. */
export async function metricsOf(name: string, port: number): Promise<string> {
  return podman('exec', name, 'node', '-e', `fetch('http://127.0.0.1:${port}/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`);
}

/** Effective uid and capabilities of the container's main process, as the host kernel sees them. */
export function processCredentials(pid: number): { uid: number; capEff: bigint } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)![1]);
  const capEff = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)![1]}`);
  return { uid, capEff };
}
