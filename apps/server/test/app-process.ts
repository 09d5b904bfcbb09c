import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@pizza/infra/testing';

export interface AppProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote, for assertions and for debugging a failure. */
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(SERVER_DIR, '..', '..');

/** A fresh SQLite file in a temp dir, so every test process starts from the seeded menu. */
export function tempDatabaseUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'pizza-test-')), 'pizza.db')}`;
}

/**
 * Starts an entry point as a real child process (from source, through tsx) and waits until
 * its liveness endpoint answers. `entry` is relative to the repository root.
 */
export async function startProcess(
  entry = 'apps/server/src/main.ts',
  env: Record<string, string> = {},
  options: { port?: number; waitForHealth?: boolean } = {},
): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_DIR, entry)], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: tempDatabaseUrl(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    url,
    port,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
  if (options.waitForHealth === false) return app;
  // tsx compiles the sources on a cold start: on a loaded machine that alone has taken over 30 s
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/api/v1/health/liveness`);
      if (res.ok) return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.kill();
      throw new Error(`${entry} did not become live within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a condition, polling; fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
