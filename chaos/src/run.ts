import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MenuItem, Order } from '@pizza/contracts';
import { stopAllChildren } from '@pizza/infra/testing';
import { Redis } from 'ioredis';
import { startCustomers, type OfferedOrder } from './customers';
import { faultLabel, planFaults, redriveInjected, runFault, type FaultRecord } from './faults';
import { checkInvariants, readStreams } from './invariants';
import { parseOptions, UsageError, type ChaosOptions } from './options';
import { seededRandom } from './random';
import { percentiles, runPassed, violationLines, writeReport, markdown, type ChaosReport } from './report';
import { allHealthy, startTopology, type Topology } from './topology';
import { trackOverSocket, trackOverTrpc, type Tracker } from './trackers';

const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));
/** After the load ends, the system must settle within this. */
const QUIET_TIMEOUT_MS = 120_000;
const started = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return res.status === 200 ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

/** Asks the order-service replicas in turn until one answers. */
async function fromAnyReplica<T>(topology: Topology, path: string): Promise<T | null> {
  for (let round = 0; round < 20; round++) {
    for (const p of topology.of('order-service')) {
      const value = await getJson<T>(`${p.url}${path}`);
      if (value !== null) return value;
    }
    await sleep(500);
  }
  return null;
}

/** Stopped on SIGINT/SIGTERM too: no process, namespace or Redis outlives the run. */
let running: Topology | null = null;

async function run(options: ChaosOptions): Promise<boolean> {
  const faultRandom = seededRandom(options.seed);
  const loadRandom = seededRandom(options.seed ^ 0x9e3779b9);
  const topology = await startTopology(options.replicas, options.store, log);
  running = topology;
  const redis = new Redis(topology.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    const menuBefore = await fromAnyReplica<MenuItem[]>(topology, '/api/v1/menu');
    if (!menuBefore) throw new Error('no order-service replica answered GET /api/v1/menu');

    const trackers: Tracker[] = [];
    let acceptedCount = 0;
    const wsUrl = () => loadRandom.pick(topology.of('notifications')).url.replace(/^http/, 'ws');
    const customers = startCustomers({
      rate: options.rate,
      menu: menuBefore,
      replicas: () => topology.of('order-service').map((p) => p.url),
      random: loadRandom,
      onAccepted: (order) => {
        if (acceptedCount++ % options.trackEvery !== 0) return;
        const follow = trackers.length % 2 === 0 ? trackOverSocket : trackOverTrpc;
        trackers.push(follow(order.orderId!, wsUrl));
      },
    });
    log(`load: ${options.rate} orders/s for ${options.durationS} s; every ${options.trackEvery}th accepted order tracked`);

    // faults inside the load window, leaving a few calm seconds at both ends
    const plan = planFaults(faultRandom, options.faults, 5, options.durationS - 8, options.ci);
    const faults: FaultRecord[] = [];
    const loadStart = Date.now();
    for (const fault of plan) {
      const wait = loadStart + fault.atS * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      faults.push(await runFault(topology, fault, faultRandom, log));
    }
    const loadLeft = loadStart + options.durationS * 1000 - Date.now();
    if (loadLeft > 0) await sleep(loadLeft);
    const lastFaultEnd = faults.length ? Date.parse(faults[faults.length - 1]!.endedAt) : Date.now();
    log('load stopped; waiting for the customers still retrying');
    await customers.stop();
    await customers.settleUnknown(topology.of('order-service')[0]!.url);

    // quiet: every accepted order delivered, every tracker done, nothing pending
    const accepted = () => customers.offered.filter((o) => o.outcome === 'accepted');
    const orders = new Map<string, Order | null>();
    let timeToQuietMs: number | null = null;
    // dead letters the control-room faults caused and the runner redrove, as an operator would
    let redriven = faults.reduce((n, f) => n + (f.redriven ?? 0), 0);
    for (const deadline = Date.now() + QUIET_TIMEOUT_MS; Date.now() < deadline; await sleep(500)) {
      if (options.faults.includes('control')) redriven += await redriveInjected(topology).catch(() => 0);
      const open = accepted().filter((o) => orders.get(o.orderId!)?.status !== 'delivered');
      for (const o of open.slice(0, 200)) orders.set(o.orderId!, await fromAnyReplica<Order>(topology, `/api/v1/orders/${o.orderId}`));
      if (open.some((o) => orders.get(o.orderId!)?.status !== 'delivered')) continue;
      if (trackers.some((t) => !t.done)) continue;
      const { pending } = await readStreams(redis);
      if (Object.values(pending).some((n) => n > 0)) continue;
      if (!(await allHealthy(topology))) continue;
      timeToQuietMs = Date.now() - lastFaultEnd;
      break;
    }
    log(timeToQuietMs === null ? `NOT quiet within ${QUIET_TIMEOUT_MS / 1000} s` : `quiet ${(timeToQuietMs / 1000).toFixed(1)} s after the last fault`);
    for (const t of trackers) t.close();

    for (const o of accepted()) if (!orders.has(o.orderId!)) orders.set(o.orderId!, await fromAnyReplica<Order>(topology, `/api/v1/orders/${o.orderId}`));
    const menuAfter = (await fromAnyReplica<MenuItem[]>(topology, '/api/v1/menu')) ?? [];
    const streams = await readStreams(redis);
    const invariants = checkInvariants({ accepted: accepted(), offered: customers.offered, orders, menuBefore, menuAfter, streams, trackers, redrivenDeadLetters: redriven });

    const report = buildReport(options, topology, customers.offered, orders, faults, trackers, timeToQuietMs, invariants);
    const [json, md] = writeReport(RESULTS_DIR, options.ci ? 'ci-latest' : 'latest', report);
    process.stdout.write(`\n${markdown(report)}\n`);
    for (const line of violationLines(invariants)) process.stdout.write(`${line}\n`);
    // the last output of every service process, for reading a failure afterwards
    const logs = join(RESULTS_DIR, options.ci ? 'ci-logs' : 'logs');
    mkdirSync(logs, { recursive: true });
    for (const p of topology.processes) writeFileSync(join(logs, `${p.name}.log`), p.child.output());
    log(`results: ${json}, ${md}; service output in ${logs}`);
    return report.passed;
  } finally {
    redis.disconnect();
    await topology.stop();
  }
}

function buildReport(options: ChaosOptions, topology: Topology, offered: OfferedOrder[], orders: Map<string, Order | null>, faults: FaultRecord[], trackers: Tracker[], timeToQuietMs: number | null, invariants: ReturnType<typeof checkInvariants>): ChaosReport {
  const faultsByKind: Record<string, number> = {};
  const recoveries: Record<string, number[]> = {};
  for (const f of faults) {
    const kind = faultLabel(f);
    if (f.skipped) continue;
    faultsByKind[kind] = (faultsByKind[kind] ?? 0) + 1;
    if (f.recoveryMs !== undefined) (recoveries[kind] ??= []).push(f.recoveryMs);
  }
  const recoveryMsByKind = Object.fromEntries(
    Object.entries(recoveries).map(([k, v]) => [k, { max: Math.max(...v), median: percentiles(v).p50 ?? 0 }]),
  );
  // an order "saw a fault" when its journey overlapped a fault or the recovery after it
  const windows = faults.filter((f) => !f.skipped).map((f) => [Date.parse(f.startedAt), Date.parse(f.endedAt) + (f.recoveryMs ?? 60_000)] as const);
  const during: number[] = [];
  const calm: number[] = [];
  let delivered = 0;
  for (const order of orders.values()) {
    const at = order?.history.find((h) => h.status === 'delivered')?.at;
    if (!order || !at) continue;
    delivered++;
    const from = Date.parse(order.createdAt);
    const to = Date.parse(at);
    (windows.some(([a, b]) => from <= b && to >= a) ? during : calm).push(to - from);
  }
  const limits = faults.filter((f) => f.skipped).map((f) => `${faultLabel(f)}: ${f.skipped}`);
  return {
    command: `pnpm chaos ${process.argv.slice(2).join(' ')}`.trim(),
    options,
    startedAt: new Date(started).toISOString(),
    ranForS: Math.round((Date.now() - started) / 1000),
    machine: `${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end (shared machine)`,
    topology: `${topology.processes.length} service processes (${options.replicas} per kind)${topology.network ? ' each in its own network namespace' : ` in the host namespace (${topology.networkUnavailable})`}; Redis with AOF (appendfsync always) behind a TCP proxy; ${topology.storeNote}`,
    limits: [...new Set(limits)],
    orders: {
      offered: offered.length,
      accepted: offered.filter((o) => o.outcome === 'accepted').length,
      rejected: offered.filter((o) => o.outcome === 'rejected').length,
      delivered,
      unknown: offered.filter((o) => o.outcome === 'unknown').length,
    },
    trackers: {
      ws: trackers.filter((t) => t.transport === 'ws').length,
      trpc: trackers.filter((t) => t.transport === 'trpc').length,
      reconnects: trackers.reduce((n, t) => n + Math.max(0, t.connects - 1), 0),
    },
    faults,
    faultsByKind,
    recoveryMsByKind,
    timeToDeliveredMs: { duringFaults: percentiles(during), withoutFaults: percentiles(calm) },
    timeToQuietMs,
    invariants,
    passed: runPassed(invariants, timeToQuietMs),
  };
}

let options: ChaosOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const onSignal = () => void Promise.all([running?.stop(), stopAllChildren()]).finally(() => process.exit(130));
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
run(options).then(
  (passed) => process.exit(passed ? 0 : 1),
  async (error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
    await stopAllChildren();
    process.exit(1);
  },
);
