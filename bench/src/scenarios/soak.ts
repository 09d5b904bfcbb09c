import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createStorage } from '@pizza/infra';
import { sleep } from '../children';
import { dealer, orderBody, readMenu, stockDeck } from '../orders-api';
import { RESULTS_DIR } from '../paths';
import { metric, type Check, type Metric } from '../results';
import type { ScenarioContext, ScenarioSpec } from '../scenario';
import { lastThirdGrowth, promValue, scrape, startSampler, type SoakSample } from '../soak-samples';
import { lineChart } from '../svg-chart';
import { startTopology, type TopologyKind } from '../topology';

const DELAYS = { SIM_CONFIRM_DELAY_MS: '50-100', SIM_PREPARE_DELAY_MS: '50-100', SIM_PICKUP_DELAY_MS: '50-100', SIM_TRANSIT_DELAY_MS: '50-100' };
const CONNECTIONS = 20;
/** Units per menu item: far more than any soak sells, so no order is refused for stock. */
const STOCK = 100_000_000;
const RSS_LIMIT_MB = 250;
const GROWTH_LIMIT_PCT = 5;
/** After the load: how long the backlog may take to drain before the bench stops waiting. */
const DRAIN_LIMIT_MS = 120_000;
/** Readings after the backlog drained: does memory come back down? */
const SETTLE_MS = 10_000;

/** A fresh SQLite file with the schema, the seeded menu and stock raised so that nothing sells out. */
async function prepareDatabase(path: string): Promise<void> {
  const storage = createStorage(`sqlite:${path}`);
  await storage.init();
  await storage.close();
  const db = new Database(path);
  try {
    db.prepare('UPDATE menu_items SET stock = ?').run(STOCK);
  } finally {
    db.close();
  }
}

/** Orders the service created and delivered so far (its own counters: a request the client gave up on may still have been placed). */
async function orderCounts(apiUrl: string): Promise<{ created: number; delivered: number } | null> {
  const text = await scrape(apiUrl);
  if (text === null) return null;
  return { created: promValue(text, 'orders_created_total'), delivered: promValue(text, 'order_status_transitions_total', 'status="delivered"') };
}

const mb = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${Math.round(v)}`);

/** "10 s: 156 · 60 s: 250 · …" at about `points` evenly spread readings. */
function timeline(samples: readonly SoakSample[], value: (s: SoakSample) => string, points = 8): string {
  if (samples.length === 0) return '';
  const step = Math.max(1, Math.round(samples.length / points));
  const picked = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  return picked.map((s) => `${Math.round(s.at)} s: ${value(s)}`).join(' · ');
}

/**
 * Scenario `soak`: simulated orders at a fixed rate for minutes (autocannon's overall rate, 20
 * connections, simulator delays 50–100 ms, stock raised so nothing sells out). Every process's
 * RSS and heap and the order latencies are sampled over time; then the backlog drains and the
 * delivered count is read from the order service's metrics. A chart goes to bench/results.
 */
export function soakScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  const seconds = options.soakSeconds;
  const rate = options.soakRate;
  const intervalMs = Math.max(1000, Math.min(5000, Math.round((seconds * 1000) / 60)));
  return {
    id: 'soak',
    title: `Soak: ${rate} simulated orders/s for ${seconds} s`,
    topology: kind,
    async run() {
      const dir = mkdtempSync(join(tmpdir(), 'pizza-soak-'));
      const heapDir = join(RESULTS_DIR, 'heap', kind);
      const nodeArgs = options.heapSnapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`] : [];
      if (options.heapSnapshots) {
        rmSync(heapDir, { recursive: true, force: true });
        mkdirSync(heapDir, { recursive: true });
      }
      try {
        const dbPath = join(dir, 'pizza.db');
        await prepareDatabase(dbPath);
        const topology = await startTopology(kind, { ...DELAYS, DATABASE_URL: `sqlite:${dbPath}` }, nodeArgs);
        try {
          return await soak(topology);
        } finally {
          await topology.stop();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      async function soak(topology: Awaited<ReturnType<typeof startTopology>>) {
        const next = dealer(stockDeck(await readMenu(topology.apiUrl)));
        const sampler = startSampler(topology.processes, intervalMs);
        const statuses = new Map<number, number>();
        const snapshotsAt = options.heapSnapshots ? [seconds / 3, (2 * seconds) / 3] : [];
        const snapshotTimer = setInterval(() => {
          if (snapshotsAt.length > 0 && sampler.elapsed() >= snapshotsAt[0]!) {
            snapshotsAt.shift();
            process.kill(topology.apiPid, 'SIGUSR2');
          }
        }, 250);
        let result: autocannon.Result;
        try {
          result = await new Promise<autocannon.Result>((resolve, reject) => {
            const instance = autocannon(
              {
                url: topology.apiUrl,
                connections: CONNECTIONS,
                overallRate: rate,
                duration: seconds,
                timeout: 10,
                requests: [
                  {
                    method: 'POST',
                    path: '/api/v1/orders',
                    headers: { 'content-type': 'application/json' },
                    setupRequest: (request) => ({ ...request, body: orderBody(next(), true) }),
                  },
                ],
              },
              (error, done) => (error ? reject(error as Error) : resolve(done)),
            );
            instance.on('response', (_client, status, _bytes, ms) => {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              sampler.record(ms);
            });
          });
        } finally {
          clearInterval(snapshotTimer);
        }
        const loadEnd = sampler.elapsed();
        if (options.heapSnapshots) process.kill(topology.apiPid, 'SIGUSR2');
        const accepted = statuses.get(201) ?? 0;

        // the backlog: every accepted order walks to delivered
        let counts = { created: accepted, delivered: 0 };
        let drainedAt: number | null = null;
        for (const deadline = Date.now() + DRAIN_LIMIT_MS; Date.now() < deadline; await sleep(250)) {
          counts = (await orderCounts(topology.apiUrl)) ?? counts;
          if (counts.delivered >= counts.created) {
            drainedAt = sampler.elapsed();
            break;
          }
        }
        const { created, delivered } = counts;
        await sleep(SETTLE_MS);
        await sampler.stop();
        const samples = sampler.samples;
        const loadSamples = samples.filter((s) => s.at <= loadEnd + intervalMs / 2000);

        const chartPath = join(RESULTS_DIR, `soak-${kind}.svg`);
        const seriesPath = join(RESULTS_DIR, `soak-${kind}.json`);
        mkdirSync(RESULTS_DIR, { recursive: true });
        const names = topology.processes.map((p) => p.name);
        writeFileSync(
          chartPath,
          lineChart({
            title: `Soak [${kind}]: ${rate} simulated orders/s asked (${Math.round(accepted / loadEnd)} answered/s) for ${seconds} s, ${CONNECTIONS} connections (${new Date().toISOString().slice(0, 16)}Z)`,
            panels: [
              {
                title: 'Resident memory (RSS)',
                unit: 'MB',
                series: names.map((name) => ({ name, points: samples.flatMap((s) => (s.rssMb[name] == null ? [] : [[s.at, s.rssMb[name]!] as const])) })),
                ...(kind === 'embedded' ? { limit: { value: RSS_LIMIT_MB, label: `${RSS_LIMIT_MB} MB` } } : {}),
              },
              {
                title: 'V8 heap in use',
                unit: 'MB',
                series: names.flatMap((name) => (samples.some((s) => s.heapMb[name] != null) ? [{ name, points: samples.flatMap((s) => (s.heapMb[name] == null ? [] : [[s.at, s.heapMb[name]!] as const])) }] : [])),
              },
              {
                title: `POST /api/v1/orders latency per ${intervalMs / 1000} s window`,
                unit: 'ms',
                series: [
                  { name: 'p50', points: loadSamples.flatMap((s) => (s.p50Ms === null ? [] : [[s.at, s.p50Ms] as const])) },
                  { name: 'p99', points: loadSamples.flatMap((s) => (s.p99Ms === null ? [] : [[s.at, s.p99Ms] as const])) },
                ],
              },
            ],
            markers: [{ at: loadEnd, label: 'load ends' }, ...(drainedAt === null ? [] : [{ at: drainedAt, label: 'drained' }])],
          }),
        );
        writeFileSync(seriesPath, `${JSON.stringify({ kind, rate, seconds, connections: CONNECTIONS, loadEnd, drainedAt, samples }, null, 1)}\n`);

        const metrics: Metric[] = [];
        const notes: string[] = [];
        for (const name of names) {
          const rss = loadSamples.map((s) => s.rssMb[name]).filter((v): v is number => v !== null && v !== undefined);
          const growth = lastThirdGrowth(loadSamples, name, loadEnd);
          const peak = rss.length > 0 ? Math.max(...rss) : Number.NaN;
          metrics.push(
            metric({ key: `soak.rss.${name}`, label: `${name}: peak RSS during the load`, unit: 'MB', runs: [peak], digits: 0, ...(name === 'all-in-one' ? { target: { on: 'value', op: '<=', value: RSS_LIMIT_MB } } : {}) }),
            metric({ key: `soak.growth.${name}`, label: `${name}: RSS growth over the last third of the load`, unit: '%', runs: growth === null ? [] : [growth], digits: 1, target: { on: 'value', op: '<=', value: GROWTH_LIMIT_PCT } }),
          );
          const heap = loadSamples.map((s) => s.heapMb[name]).filter((v): v is number => v !== null && v !== undefined);
          if (heap.length > 0) metrics.push(metric({ key: `soak.heap.${name}`, label: `${name}: peak V8 heap in use`, unit: 'MB', runs: [Math.max(...heap)], digits: 0 }));
          notes.push(`${name} RSS (MB): ${timeline(samples, (s) => mb(s.rssMb[name]))}`);
          if (heap.length > 0) notes.push(`${name} heap (MB): ${timeline(samples, (s) => mb(s.heapMb[name]))}`);
        }
        notes.push(`order latency p50/p99 (ms) per window: ${timeline(loadSamples, (s) => `${mb(s.p50Ms)}/${mb(s.p99Ms)}`)}`);
        metrics.push(
          metric({ key: 'soak.rate', label: 'orders answered 201 per second', unit: 'orders/s', runs: [accepted / loadEnd], digits: 1 }),
          metric({ key: 'soak.p50', label: 'POST /api/v1/orders p50', unit: 'ms', runs: [result.latency.p50] }),
          metric({ key: 'soak.p99', label: 'POST /api/v1/orders p99', unit: 'ms', runs: [result.latency.p99] }),
          metric({ key: 'soak.delivered', label: 'orders delivered', unit: 'orders', runs: [delivered], digits: 0 }),
          metric({ key: 'soak.drain', label: 'backlog drain time (load end → last order delivered)', unit: 's', runs: drainedAt === null ? [] : [drainedAt - loadEnd], digits: 1 }),
        );
        const checks: Check[] = [
          {
            label: 'every accepted order was delivered',
            ok: drainedAt !== null,
            detail: `${created} created (${accepted} answered 201 in time), ${delivered} delivered; answers ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; ${result.errors} errors, ${result.timeouts} timeouts`,
          },
        ];
        notes.push(`chart: ${chartPath}; every sample: ${seriesPath}`);
        if (options.heapSnapshots) notes.push(`heap snapshots (${topology.processes[0]!.name === 'all-in-one' ? 'all-in-one' : 'order service'}): ${readdirSync(heapDir).map((f) => join(heapDir, f)).join(', ')}`);
        ctx.log(`  ${created} orders created, ${delivered} delivered, drain ${drainedAt === null ? 'not finished' : `${(drainedAt - loadEnd).toFixed(1)} s`}; ${notes[0]}`);
        return { metrics, checks, notes };
      }
    },
  };
}
