import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { isListening } from './redis-server';

/**
 * The process helper of tests, bench and chaos: spawn, keep the last output, wait for health,
 * stop one or all. Every child is registered so that none outlives the process that started it.
 */
export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** The last few KB the process printed, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Child>();
const OUTPUT_KEEP = 16 * 1024;

/** Raises the open-files limit as far as allowed, then becomes the command (same pid). */
const RAISE_FD_LIMIT = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';

export interface StartChildOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Spawn through `bash -c 'ulimit -n 65536 && exec …'` (for processes holding many sockets). */
  raiseFdLimit?: boolean;
}

export function startChild(name: string, command: string, args: string[], options: StartChildOptions = {}): Child {
  const proc = options.raiseFdLimit
    ? spawn('bash', ['-c', RAISE_FD_LIMIT, command, ...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > OUTPUT_KEEP * 2) out = out.slice(-OUTPUT_KEEP);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  const child: Child = {
    name,
    pid: proc.pid ?? -1,
    proc,
    output: () => out.slice(-OUTPUT_KEEP),
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        running.delete(child);
      })();
      return stopping;
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** Config a runner sets itself for the services; anything of the same name in the caller's shell is dropped. */
const OWN_VARIABLES = /^(PORT|HOST|DATABASE_URL|REDIS_URL|LOG_LEVEL|WEB_DIST_DIR|SIM_.*|WS_.*|STREAM_.*|OTEL_.*)$/;

/** The environment of a service child: the caller's, minus service config, plus `extra`. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !OWN_VARIABLES.test(key)) env[key] = value;
  return { ...env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...extra };
}

export function isAlive(child: Child): boolean {
  return child.proc.exitCode === null && child.proc.signalCode === null;
}

/** Stops every child still running (used on errors and signals). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop(2000)));
}

// Last resort: a runner that dies leaves no server behind.
process.once('exit', () => {
  for (const child of running) child.proc.kill('SIGKILL');
});

/** Resident memory of a process in bytes (VmRSS from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** CPU time (user + system) a process has used so far, in milliseconds (/proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}


/** GET on loopback without keep-alive; resolves with the status (0 when nothing answers). */
export function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200; fails if the child exits or the time runs out. */
export async function waitForOk(url: string, child: Child, timeoutMs = 30_000, pollMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive(child)) throw new Error(`${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) before ${url} answered:\n${child.output()}`);
    if ((await httpStatus(url)) === 200) return;
    if (Date.now() > deadline) throw new Error(`${child.name}: ${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`);
    await sleep(pollMs);
  }
}

export async function waitForChildPort(port: number, child: Child, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isListening(port)) return;
    if (!isAlive(child) || Date.now() > deadline) throw new Error(`${child.name} does not listen on ${port}:\n${child.output()}`);
    await sleep(50);
  }
}
