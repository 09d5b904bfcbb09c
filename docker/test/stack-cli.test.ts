import { execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@pizza/infra/testing';
import { docker } from './lib';

const exec = promisify(execFile);
const CLI = docker('stack', 'cli.mjs');

/** Runs `pnpm stack …` and returns its exit code and its output lines. */
async function stack(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], { env, timeout: 60_000 });
    return { code: 0, lines: `${stdout}${stderr}`.trim().split('\n') };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, lines: `${e.stdout}${e.stderr}`.trim().split('\n') };
  }
}

describe('pnpm stack: bad configuration ends with one line saying what to do', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('observability without GRAFANA_ADMIN_PASSWORD', async () => {
    const env = { ...process.env, GRAFANA_ADMIN_PASSWORD: '' };
    const { code, lines } = await stack(['up', '--observability'], env);
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^pnpm stack: GRAFANA_ADMIN_PASSWORD is not set: .*export GRAFANA_ADMIN_PASSWORD=/)]);
  });

  it('no container engine on the PATH', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'stack-no-engine-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const { code, lines } = await stack(['up'], { ...process.env, PATH: bin });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^pnpm stack: no container engine found: install Docker .* or Podman/)]);
  });

  it('the edge port taken by another program', async () => {
    const port = await freePort();
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const env = { ...process.env, CONTAINER_ENGINE: 'podman', EDGE_PORT: String(port), COMPOSE_PROJECT_NAME: `pizza-port-test-${process.pid}` };
    const { code, lines } = await stack(['up'], env);
    expect(code).toBe(1);
    expect(lines).toEqual([`pnpm stack: port 127.0.0.1:${port} is taken by another program: stop it or choose another port (EDGE_PORT=8081 pnpm stack up)`]);
  });

  it('an unknown engine name', async () => {
    const { code, lines } = await stack(['status'], { ...process.env, CONTAINER_ENGINE: 'lxc' });
    expect(code).toBe(1);
    expect(lines).toEqual(['pnpm stack: CONTAINER_ENGINE=lxc is not supported: use docker or podman']);
  });
});
