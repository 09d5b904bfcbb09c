import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  childEnv,
  createTestNetwork,
  freePort,
  httpStatus,
  iptablesUnavailable,
  isAlive,
  networkNamespacesUnavailable,
  startChild,
  startMongoServer,
  startRedisServer,
  type Child,
  type MongoServer,
  type NetworkNamespace,
  type RedisServer,
  type TestNetwork,
} from '@pizza/infra/testing';
import { startSupervised } from './supervise';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const SERVICE_KINDS = ['order-service', 'notifications', 'delivery', 'simulator'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];
const ENTRY: Record<ServiceKind, string> = {
  'order-service': 'packages/api/dist/order-service.js',
  notifications: 'packages/api/dist/notifications.js',
  delivery: 'packages/workers/dist/delivery.js',
  simulator: 'packages/workers/dist/simulator.js',
};

/** One service process slot: it keeps its namespace and port across restarts; a partition may change its address. */
export interface ServiceProcess {
  name: string;
  kind: ServiceKind;
  readonly address: string;
  port: number;
  namespace: NetworkNamespace | null;
  child: Child;
  readonly url: string;
  restart(): Promise<void>;
}

export interface Topology {
  processes: ServiceProcess[];
  of(kind: ServiceKind): ServiceProcess[];
  redis: RedisServer;
  /** Every service reaches Redis through it. */
  proxy: TcpProxy;
  /** Null when the run cannot make namespaces, with the reason. */
  network: TestNetwork | null;
  networkUnavailable: string | null;
  /** Null when one-sided partitions (from Redis, from clients) can run, else why not. */
  oneSidedCutUnavailable: string | null;
  databaseUrl: string;
  storeNote: string;
  /**
   * An admin API call (the control room's routes) to the order-service replicas in turn until one
   * answers 2xx; the parsed body (null for 204). Throws with the last answer when none did.
   */
  admin(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: object): Promise<unknown>;
  stop(): Promise<void>;
}

const RESTART_ATTEMPTS = 10;

/** Short journeys and a short claim timeout: a run sees many orders finish and many hand-overs. */
const SERVICE_ENV = {
  LOG_LEVEL: 'warn',
  SIM_CONFIRM_DELAY_MS: '200-800',
  SIM_PREPARE_DELAY_MS: '300-1200',
  SIM_PICKUP_DELAY_MS: '200-800',
  SIM_TRANSIT_DELAY_MS: '500-1500',
  STREAM_CLAIM_IDLE_MS: '3000',
};
/** The services are reached over the namespaces' bridge, not loopback: admin calls need the token. */
const ADMIN_TOKEN = randomBytes(24).toString('hex');

export async function startTopology(replicas: number, store: 'sqlite' | 'mongo', log: (line: string) => void): Promise<Topology> {
  const missing = Object.values(ENTRY).filter((entry) => !isBuilt(entry));
  if (missing.length) throw new Error(`build first (pnpm build): missing ${missing.join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'pizza-chaos-'));
  const networkUnavailable = networkNamespacesUnavailable();
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  };
  try {
    const network = networkUnavailable ? null : createTestNetwork();
    if (network) cleanups.push(() => network.destroy());
    const redis = await startRedisServer({ aofDir: dir });
    cleanups.push(() => redis.stop());
    const proxyHost = network?.hostAddress ?? '127.0.0.1';
    const proxy = await startTcpProxy(proxyHost, { host: '127.0.0.1', port: redis.port });
    cleanups.push(() => proxy.close());

    let mongo: MongoServer | null = null;
    if (store === 'mongo') {
      mongo = await startMongoServer('pizza-chaos');
      cleanups.push(() => mongo!.stop());
    }
    const databaseUrl = mongo ? mongo.url : `sqlite:${join(dir, 'pizza.db')}`;
    const storeNote = mongo
      ? mongo.real
        ? 'MongoDB replica set from MONGO_URL'
        : 'jongodb (wire-compatible test server: single-node replica set, no write-conflict detection between concurrent transactions, so it proves less than a real MongoDB)'
      : 'SQLite file shared by every process (WAL)';
    // jongodb and a real MongoDB listen on loopback: services that use them stay in the host namespace
    const isolate = network !== null && store === 'sqlite';

    const processes: ServiceProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(processes.map((p) => p.child.stop(3000)));
    });
    const startSlot = async (kind: ServiceKind, index: number): Promise<ServiceProcess> => {
      const namespace = isolate ? network!.addNamespace() : null;
      const port = namespace ? 8080 : await freePort();
      const name = `${kind}-${index + 1}`;
      const env = childEnv({
        ...SERVICE_ENV,
        ADMIN_TOKEN,
        // inside its own namespace it listens on every address: it keeps serving when readdressed
        HOST: namespace ? '0.0.0.0' : '127.0.0.1',
        PORT: String(port),
        REDIS_URL: `redis://${proxyHost}:${proxy.port}`,
        DATABASE_URL: databaseUrl,
      });
      const spawnIt = () => {
        const entry = join(REPO_DIR, ENTRY[kind]);
        return namespace
          ? startChild(name, namespace.exec[0]!, [...namespace.exec.slice(1), process.execPath, entry], { env, cwd: REPO_DIR, raiseFdLimit: true })
          : startChild(name, process.execPath, [entry], { env, cwd: REPO_DIR, raiseFdLimit: true });
      };
      const slot: ServiceProcess = {
        name,
        kind,
        get address() {
          return namespace?.address ?? '127.0.0.1';
        },
        port,
        namespace,
        get url() {
          return `http://${slot.address}:${port}`;
        },
        child: undefined as unknown as Child,
        /** As a supervisor would: a process that exits while starting (Redis still unreachable) is started again. */
        async restart() {
          if (isAlive(slot.child)) throw new Error(`${name} is still running`);
          await startSupervised({ spawn: spawnIt, onSpawn: (c) => (slot.child = c), url: () => `${slot.url}/api/v1/health/liveness`, attempts: RESTART_ATTEMPTS });
        },
      };
      // the first start is supervised too: on a loaded machine a process may give up on Redis while starting
      await startSupervised({
        spawn: spawnIt,
        onSpawn: (c) => {
          slot.child = c;
          if (!processes.includes(slot)) processes.push(slot);
        },
        url: () => `${slot.url}/api/v1/health`,
        attempts: RESTART_ATTEMPTS,
      });
      return slot;
    };
    // the order service first: it creates the schema and seeds the menu in the shared store
    await startSlot('order-service', 0);
    const rest: Promise<ServiceProcess>[] = [];
    for (const kind of SERVICE_KINDS)
      for (let i = kind === 'order-service' ? 1 : 0; i < replicas; i++) rest.push(startSlot(kind, i));
    await Promise.all(rest);
    log(`topology: ${processes.length} service processes (${replicas} of each kind)${isolate ? ', each in its own network namespace' : ''}; Redis AOF appendfsync always behind a TCP proxy; store: ${storeNote}`);
    return {
      processes,
      of: (kind) => processes.filter((p) => p.kind === kind),
      redis,
      proxy,
      network: isolate ? network : null,
      networkUnavailable: networkUnavailable ?? (isolate ? null : 'the MongoDB store listens on loopback only, so services share the host namespace'),
      oneSidedCutUnavailable: iptablesUnavailable(),
      databaseUrl,
      storeNote,
      admin: async (method, path, body) => {
        let last = '';
        for (let round = 0; round < 2; round++) {
          for (const p of processes.filter((x) => x.kind === 'order-service')) {
            try {
              const res = await fetch(`${p.url}${path}`, {
                method,
                headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
                ...(body ? { body: JSON.stringify(body) } : {}),
                signal: AbortSignal.timeout(5_000),
              });
              const text = await res.text();
              if (res.ok) return text ? (JSON.parse(text) as unknown) : null;
              last = `${p.name}: ${res.status} ${text.slice(0, 200)}`;
            } catch (error) {
              last = `${p.name}: ${(error as Error).message}`;
            }
          }
        }
        throw new Error(`${method} ${path}: no order-service replica accepted it (${last})`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const isBuilt = (entry: string) => existsSync(join(REPO_DIR, entry));

/** Every process answers its readiness check (bus and storage reachable, no stuck consumer). */
export async function allHealthy(topology: Topology): Promise<boolean> {
  const statuses = await Promise.all(topology.processes.map((p) => httpStatus(`${p.url}/api/v1/health`, 2000)));
  return statuses.every((s) => s === 200);
}
