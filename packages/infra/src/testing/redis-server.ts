import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { freePort } from './free-port';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGKILL); safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** Extra addresses to listen on besides loopback (e.g. a test network's bridge). */
  bind?: string[];
  /** Keeps an append-only file there, fsynced on every write (survives SIGKILL); none by default. */
  aofDir?: string;
}

/** Starts a throw-away `redis-server` on a free loopback port (no persistence unless `aofDir`), for tests. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const persistence = options.aofDir
    ? ['--dir', options.aofDir, '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  // Extra addresses exist only inside networks the test made: protected mode would refuse them.
  const bind = options.bind?.length ? ['--bind', '127.0.0.1', ...options.bind, '--protected-mode', 'no'] : ['--bind', '127.0.0.1'];
  const args = ['--port', String(port), ...bind, '--save', '', ...persistence];

  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await once(c, 'exit');
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, restart: start };
}

/** True when something accepts TCP connections on the loopback port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isListening(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
