import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { createBus } from '../bus/create-bus';
import type { EventBus } from '../bus/event-bus';
import type { BusInspection } from '../bus/bus-inspection';
import { createFaultStore, type FaultStore } from '../faults/fault-store';
import { withFaults } from '../faults/faulty-bus';
import { recordJourneyBus } from '../journeys/journey-bus';
import { recordJourneyPush, type PushFanOut } from '../journeys/journey-push';
import { recordJourneyStorage } from '../journeys/journey-storage';
import { createJourneyStore, type JourneyStore } from '../journeys/journey-store';
import { ConfigError, loadConfig, tracingEnv, type Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { createMetrics, type Metrics } from '../metrics';
import { createStorage } from '../storage/create-storage';
import type { Storage } from '../storage/storage-port';
import { checkHealth, type HealthProbe } from '../http/health';
import { sendJson } from '../http/json-body';
import { closeServer, createServiceServer, listen, type RequestHandler, type UpgradeHandler } from '../http/service-server';
import { startTracing, tracingRequested, type Tracing } from '../tracing/tracing';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { HandlerTimings } from '../pipeline-timings/handler-timings';
import { timeBus } from '../pipeline-timings/timed-bus';
import { createTimingsBoard, type TimingsBoard } from '../pipeline-timings/timings-board';
import { startHousekeeping } from './housekeeping';
import { createServiceRegistry, type ServiceRegistry } from './service-registry';

/** What one service contributes to a process: HTTP routes, socket upgrades, background work. */
export interface ServiceModule {
  handlers?: RequestHandler[];
  upgrades?: UpgradeHandler[];
  routeOf?: (method: string, path: string) => string | null;
  /** Starts consumers and loops (after storage and bus are ready). */
  start?(): Promise<void>;
  /** Stops background work, waiting for what is in flight. Called once, on shutdown. */
  close(): Promise<void>;
  /** Entries held right now by the in-memory structures that grow with traffic, by name (tests, dev tools). */
  retained?(): Record<string, number>;
}

export interface ServiceRuntime {
  service: string;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  storage: Storage;
  bus: EventBus;
  /** The operator's view of the bus (control room). */
  busInspection: BusInspection;
  /** The operator's faults (shared through Redis when distributed); `bus` applies them. */
  faults: FaultStore;
  /** What every process measured handling and publishing messages (live pipeline numbers). */
  pipelineTimings: TimingsBoard;
  /** Unique consumer name of this process, e.g. `delivery-service-host-1234`. */
  consumerName: string;
  /** Dependency probes for /api/v1/health; modules may add their own. */
  probes: Record<string, HealthProbe>;
  /** Null when tracing is off (no OTLP endpoint configured). */
  tracing: Tracing | null;
  /** Every order's journey (shared through Redis when distributed); `bus` and `storage` record into it. */
  journeys: JourneyStore;
  /** Fans a state out to an order's clients, recording the `push` hop (and its span when traced). */
  push: PushFanOut;
}

export interface RunServiceOptions {
  service: string;
  defaultPort: number;
  /** The simulator keeps no state: it needs only the bus. */
  usesStorage?: boolean;
  modules: (runtime: ServiceRuntime) => ServiceModule[] | Promise<ServiceModule[]>;
  env?: Record<string, string | undefined>;
  /** Spans go here instead of OTLP, and tracing is on (tests). */
  traceExporter?: SpanExporter;
}

export interface RunningService {
  runtime: ServiceRuntime;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

/**
 * Boots a service process: validated config, logger, metrics, storage, bus, the modules, and an
 * HTTP server with health and /metrics. SIGTERM/SIGINT stop it gracefully.
 */
export async function startService(options: RunServiceOptions): Promise<RunningService> {
  const config = loadConfig(options.env);
  const env = tracingEnv(options.env);
  const traced = Boolean(options.traceExporter) || tracingRequested(env);
  let tracing: Tracing | null = null;
  const logger = createLogger(options.service, config.LOG_LEVEL, traced ? () => tracing?.logFields() ?? {} : undefined);
  const metrics = createMetrics(options.service, { exemplars: traced });
  tracing = await startTracing({ service: options.service, env, logger, metrics, ...(options.traceExporter ? { exporter: options.traceExporter } : {}) });
  const usesStorage = options.usesStorage ?? true;
  const consumerName = `${options.service}-${hostname()}-${process.pid}`;
  const journeys = createJourneyStore({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    onLost: journeyLossLogger(logger),
  });

  const untracedStorage = usesStorage ? createStorage(config.DATABASE_URL) : null;
  if (untracedStorage) await untracedStorage.init();
  const tracedStorage = untracedStorage && tracing ? tracing.traceStorage(untracedStorage, config.DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'mongodb') : untracedStorage;
  const storage = tracedStorage && recordJourneyStorage(tracedStorage, journeys, consumerName);
  const untracedBus = createBus({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    logger,
    metrics,
    claimIdleMs: config.STREAM_CLAIM_IDLE_MS,
    maxLen: config.STREAM_MAXLEN,
  });
  if (config.REDIS_URL) await assertRedisReachable(untracedBus, config.REDIS_URL);
  const tracedBus = tracing ? tracing.traceBus(untracedBus, config.REDIS_URL ? 'redis' : 'in-process') : untracedBus;
  const timings = new HandlerTimings(consumerName);
  // inside the faults, so an injected delay or failure shows in the handler timings
  const bus = timeBus(recordJourneyBus(tracedBus, journeys, consumerName), timings, options.service);
  const pipelineTimings = createTimingsBoard({ ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}), instance: consumerName, timings, logger });

  const faults = createFaultStore(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {});
  const probes: Record<string, HealthProbe> = { bus: () => bus.ping() };
  if (storage) probes.storage = () => storage.ping();
  const runtime: ServiceRuntime = {
    service: options.service,
    config,
    logger,
    metrics,
    storage: storage ?? noStorage(),
    bus: withFaults(bus, faults),
    busInspection: untracedBus.inspection,
    faults,
    pipelineTimings,
    consumerName,
    probes,
    tracing,
    journeys,
    push: recordJourneyPush(journeys, consumerName, tracing ? (orderId, status, send) => tracing!.push(orderId, status, send) : undefined),
  };

  const modules = await options.modules(runtime);
  const registry = createServiceRegistry({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    instance: runtime.consumerName,
    report: () => checkHealth(options.service, probes, logger),
    logger,
  });
  const server = createServiceServer({
    service: options.service,
    logger,
    metrics,
    probes,
    handlers: [servicesHealthHandler(registry), ...modules.flatMap((m) => m.handlers ?? [])],
    upgrades: modules.flatMap((m) => m.upgrades ?? []),
    tracing,
    timeouts: { headersMs: config.HTTP_HEADERS_TIMEOUT_MS, requestMs: config.HTTP_REQUEST_TIMEOUT_MS },
    routeOf: (method, path) => {
      if (path === SERVICES_HEALTH_PATH || path === `${SERVICES_HEALTH_PATH}/`) return SERVICES_HEALTH_PATH;
      for (const m of modules) {
        const route = m.routeOf?.(method, path);
        if (route) return route;
      }
      return 'unmatched';
    },
  });
  for (const m of modules) await m.start?.();
  const stopHousekeeping = storage ? startHousekeeping({ storage, logger }) : () => {};
  const port = await listen(server, config.PORT ?? options.defaultPort, config.HOST);
  logger.info({ port, storage: usesStorage ? config.DATABASE_URL.split(':')[0] : 'none', bus: config.REDIS_URL ? 'redis' : 'in-process' }, `${options.service} listening on port ${port}`);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      stopHousekeeping();
      const httpClosed = closeServer(server);
      for (const m of [...modules].reverse()) await m.close().catch((err: unknown) => logger.error({ err }, 'module close failed'));
      await httpClosed;
      await registry.close();
      await bus.close();
      await pipelineTimings.close();
      await faults.close();
      await journeys.close();
      await storage?.close();
      await tracing?.shutdown();
      logger.info('stopped');
    })());
  return { runtime, server, port, stop };
}

/** A stopping process exits after this long even if its drain is not done (orchestrators wait longer). */
export const SHUTDOWN_DEADLINE_MS = 15_000;

/** startService for a process entry point: exits with a clear message on bad config, stops on signals. */
export async function runService(options: RunServiceOptions): Promise<void> {
  let running: RunningService;
  try {
    running = await startService(options);
  } catch (error) {
    const message = startupFailure(error);
    if (message) {
      process.stderr.write(`${options.service}: ${message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    running.runtime.logger.info({ signal }, 'signal received');
    void running.stop().then(() => process.exit(0));
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref(); // never hang forever on shutdown
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

const SERVICES_HEALTH_PATH = '/api/v1/health/services';

/** `GET /api/v1/health/services`: the health of every live service instance (dev tools). */
function servicesHealthHandler(registry: ServiceRegistry): RequestHandler {
  const serve: RequestHandler = async (req, res, { log }) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${SERVICES_HEALTH_PATH} answers GET only` }, { allow: 'GET, HEAD' });
      return true;
    }
    try {
      sendJson(res, 200, { services: await registry.list() });
    } catch (err) {
      log.warn({ err }, 'service registry does not answer');
      sendJson(res, 503, { code: 'SERVICE_UNAVAILABLE', message: 'The service registry does not answer' }, { 'retry-after': '5' });
    }
    return true;
  };
  // declines other paths without a promise (every request passes here first)
  return (req, res, scope) => (scope.path === SERVICES_HEALTH_PATH || scope.path === `${SERVICES_HEALTH_PATH}/` ? serve(req, res, scope) : false);
}

export class StartupError extends Error {
  override name = 'StartupError';
}

/** A one-line explanation for the failures a person can fix, or null for a real crash. */
function startupFailure(error: unknown): string | null {
  if (error instanceof ConfigError || error instanceof StartupError) return error.message;
  const { code, port, hostname, address } = error as { code?: string; port?: number; hostname?: string; address?: string };
  if (code === 'EADDRINUSE') return `port ${port} is already in use: stop what runs there or set PORT to another port.`;
  if (code === 'EACCES') return `not allowed to listen on port ${port}: choose a port above 1023 (PORT).`;
  if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL') return `cannot listen on ${hostname ?? address} (HOST): not an address of this machine.`;
  return null;
}

async function assertRedisReachable(bus: EventBus, url: string): Promise<void> {
  try {
    await Promise.race([bus.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))]);
  } catch {
    await bus.close().catch(() => {});
    const safe = url.replace(/\/\/[^@]*@/, '//***@');
    throw new StartupError(`Redis is not reachable at ${safe} (REDIS_URL). Start Redis (e.g. \`redis-server\`) or unset REDIS_URL to use the in-process bus.`);
  }
}

/** Lost hops are logged at most once a minute: a Redis outage must not flood the log. */
function journeyLossLogger(logger: Logger): (count: number, error?: unknown) => void {
  let lastLog = 0;
  let lost = 0;
  return (count, error) => {
    lost += count;
    if (Date.now() - lastLog < 60_000) return;
    lastLog = Date.now();
    logger.warn({ lost, err: error }, 'journey hops lost (not written to the journey store)');
    lost = 0;
  };
}

function noStorage(): Storage {
  return new Proxy({} as Storage, {
    get: (_t, prop) => {
      throw new Error(`storage.${String(prop)} used in a service that runs without storage`);
    },
  });
}
