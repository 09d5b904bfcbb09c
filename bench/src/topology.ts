import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { childEnv, freePort, startChild, waitForOk, waitForChildPort, type Child } from './children';

export { childEnv };
import { BUILT, REPO_DIR } from './paths';

export type TopologyKind = 'embedded' | 'distributed';

/** The system under test, started fresh: its own SQLite file (and its own Redis when distributed). */
export interface Topology {
  kind: TopologyKind;
  /** Where `/api/*` is served. */
  apiUrl: string;
  /** Where `/ws/*` is served (ws://…). */
  wsUrl: string;
  /** The process serving the API (for RSS and profiling). */
  apiPid: number;
  /** The process holding the tracking sockets. */
  socketPid: number;
  /** Every process of the topology, by name (CPU per service, memory sampling; `url`: its HTTP port, serving /metrics). */
  processes: { name: string; pid: number; url?: string }[];
  /** The topology's own Redis (distributed only). */
  redisUrl?: string;
  stop(): Promise<void>;
}

/** Node options for the process serving the API (e.g. `--cpu-prof`), or for every Node process of the topology. */
export type NodeArgs = string[] | { everyProcess: string[] };

/**
 * `nodeArgs`: see NodeArgs. `checkout`: run the built all-in-one process of another checkout of this
 * repository instead (embedded only; A/B runs).
 */
export async function startTopology(kind: TopologyKind, env: Record<string, string> = {}, nodeArgs: NodeArgs = [], checkout?: string): Promise<Topology> {
  if (checkout && kind !== 'embedded') throw new Error('another checkout runs only as the embedded topology');
  const apiArgs = Array.isArray(nodeArgs) ? nodeArgs : nodeArgs.everyProcess;
  const otherArgs = Array.isArray(nodeArgs) ? [] : nodeArgs.everyProcess;
  return kind === 'embedded' ? startEmbedded(env, apiArgs, checkout ?? REPO_DIR) : startDistributed(env, apiArgs, otherArgs);
}

/** The heap limit `npm start` (scripts/start.sh) and the server image give the all-in-one process. */
export const ALL_IN_ONE_NODE_OPTIONS = '--max-old-space-size=1024';

async function startEmbedded(env: Record<string, string>, nodeArgs: string[], checkout: string): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'pizza-bench-'));
  const port = await freePort();
  // started as `npm start` starts it; NODE_OPTIONS of the bench's own environment come after and win
  const nodeOptions = [ALL_IN_ONE_NODE_OPTIONS, process.env.NODE_OPTIONS].filter(Boolean).join(' ');
  const server = startChild('all-in-one', process.execPath, [...nodeArgs, join(checkout, relative(REPO_DIR, BUILT.allInOne))], {
    env: childEnv({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'pizza.db')}`, NODE_OPTIONS: nodeOptions, ...env }),
    cwd: join(checkout, 'apps/server'),
    raiseFdLimit: true,
  });
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForOk(`http://127.0.0.1:${port}/api/v1/health`, server);
  } catch (error) {
    await stop();
    throw error;
  }
  const apiUrl = `http://127.0.0.1:${port}`;
  return { kind: 'embedded', apiUrl, wsUrl: `ws://127.0.0.1:${port}`, apiPid: server.pid, socketPid: server.pid, processes: [{ name: 'all-in-one', pid: server.pid, url: apiUrl }], stop };
}

/** A private redis-server on a free loopback port, never the system one on 6379. */
export async function startRedis(dir: string): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = startChild('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  await waitForChildPort(port, child);
  return { child, url: `redis://127.0.0.1:${port}` };
}

async function startDistributed(env: Record<string, string>, nodeArgs: string[], otherArgs: string[]): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'pizza-bench-'));
  const children: Child[] = [];
  const stop = async () => {
    for (const child of [...children].reverse()) await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const redis = await startRedis(dir);
    children.push(redis.child);
    const shared = { REDIS_URL: redis.url, DATABASE_URL: `sqlite:${join(dir, 'pizza.db')}`, ...env };
    const start = async (name: string, entry: string, args: string[] = []) => {
      const port = await freePort();
      const child = startChild(name, process.execPath, [...args, entry], { env: childEnv({ ...shared, PORT: String(port) }), cwd: REPO_DIR, raiseFdLimit: true });
      children.push(child);
      await waitForOk(`http://127.0.0.1:${port}/api/v1/health`, child);
      return { child, port };
    };
    // the order service first: it creates the schema and seeds the menu in the shared file
    const order = await start('order-service', BUILT.orderService, nodeArgs);
    const workers = await Promise.all([
      start('notifications', BUILT.notifications, otherArgs),
      start('delivery', BUILT.delivery, otherArgs),
      start('simulator', BUILT.simulator, otherArgs),
    ]);
    const notifications = workers[0];
    return {
      kind: 'distributed',
      apiUrl: `http://127.0.0.1:${order.port}`,
      wsUrl: `ws://127.0.0.1:${notifications.port}`,
      apiPid: order.child.pid,
      socketPid: notifications.child.pid,
      processes: [
        ...[order, ...workers].map(({ child, port }) => ({ name: child.name, pid: child.pid, url: `http://127.0.0.1:${port}` })),
        { name: 'redis-server', pid: redis.child.pid },
      ],
      redisUrl: redis.url,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
