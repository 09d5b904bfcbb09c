import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, warmUp, type LoadResult } from '../http-load';
import { orderBody, readMenu } from '../orders-api';
import { BENCH_DIR } from '../paths';
import { metric, type Metric } from '../results';
import type { ScenarioContext, ScenarioSpec } from '../scenario';
import { startSpanSink, type SpanSink } from '../span-sink';
import { startTopology, type TopologyKind } from '../topology';
import { ordersPerSecond, raiseStock } from './orders';

/** Units per item once the run's database is ready: no order of a timed run is refused for stock. */
const STOCK = 100_000_000;
/** Seconds of orders before the measured run: JIT, connection pools, the first trace exports. */
const WARM_UP_SECONDS = 2;
/** The sampled arm's share of traces (`parentbased_traceidratio`). */
const SAMPLED_RATIO = '0.1';

interface Arm {
  id: 'off' | 'context' | 'sampled' | 'on' | 'reference';
  label: string;
  env(sink: SpanSink): Record<string, string>;
  nodeArgs: string[];
  checkout?: string;
}

/**
 * The cost of tracing: the orders and menu loads against the same topology, each run a fresh
 * process and database, with tracing off and on (every request sampled; batch span processor;
 * OTLP/protobuf to a local sink), and between them: tracing on with 10% of traces sampled, and
 * tracing off with only Node's AsyncLocalStorage enabled (what context propagation costs before
 * the SDK does anything). With `--reference <checkout>`, the all-in-one process of that checkout's
 * build (e.g. the commit before tracing) runs too, tracing off: "off" against it is what the
 * tracing code costs when it is off. Each round starts one arm later than the one before, so over
 * as many rounds as there are arms each arm runs once in every position.
 */
export function tracingCostScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  const otlp = (sink: SpanSink) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  const arms: Arm[] = [
    { id: 'off', label: 'tracing off', env: () => ({}), nodeArgs: [] },
    { id: 'context', label: 'tracing off + AsyncLocalStorage enabled', env: () => ({}), nodeArgs: ['--require', join(BENCH_DIR, 'src/baseline/async-context.cjs')] },
    {
      id: 'sampled',
      label: `tracing on, ${Number(SAMPLED_RATIO) * 100}% sampled`,
      env: (sink) => ({ ...otlp(sink), OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: SAMPLED_RATIO }),
      nodeArgs: [],
    },
    { id: 'on', label: 'tracing on (every request sampled)', env: otlp, nodeArgs: [] },
  ];
  if (options.reference && kind === 'embedded') {
    const built = join(options.reference, 'apps/server/dist/main.js');
    if (!existsSync(built)) throw new Error(`--reference ${options.reference}: ${built} is missing (run pnpm install and pnpm build in that checkout first)`);
    const commit = spawnSync('git', ['-C', options.reference, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout?.trim();
    arms.push({ id: 'reference', label: `reference build${commit ? ` (commit ${commit})` : ''}, tracing off`, env: () => ({}), nodeArgs: [], checkout: options.reference });
  }
  return {
    id: 'tracing',
    title: `Tracing off vs on: POST /api/v1/orders and GET /api/v1/menu, ${options.connections} connections`,
    topology: kind,
    async run() {
      const sink = await startSpanSink();
      const runs = new Map(arms.map((arm) => [arm.id, { orders: [] as LoadResult[], menu: [] as LoadResult[] }]));
      const measure = async (arm: Arm) => {
        const dir = mkdtempSync(join(tmpdir(), 'pizza-bench-tracing-'));
        const database = join(dir, 'pizza.db');
        const topology = await startTopology(kind, { DATABASE_URL: `sqlite:${database}`, ...arm.env(sink) }, arm.nodeArgs, arm.checkout);
        try {
          raiseStock(database, STOCK);
          const ids = (await readMenu(topology.apiUrl)).map((item) => item.id);
          const menu = { url: `${topology.apiUrl}/api/v1/menu`, connections: options.connections, duration: options.seconds };
          await warmUp(menu);
          runs.get(arm.id)!.menu.push(await runLoad(menu, topology.apiPid));
          let dealt = 0;
          const orders = (duration: number) => ({
            url: topology.apiUrl,
            connections: options.connections,
            duration,
            requests: [{ method: 'POST' as const, path: '/api/v1/orders', headers: { 'content-type': 'application/json' }, setupRequest: (r: object) => ({ ...r, body: orderBody(ids[dealt++ % ids.length]!, false) }) }],
          });
          await runLoad(orders(WARM_UP_SECONDS));
          runs.get(arm.id)!.orders.push(await runLoad(orders(options.seconds), topology.apiPid));
        } finally {
          await topology.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      };
      try {
        for (let round = 0; round < options.rounds; round += 1) {
          // rotate the order of the arms: round r starts with arm r
          for (let i = 0; i < arms.length; i += 1) await measure(arms[(round + i) % arms.length]!);
          const line = arms.map((arm) => `${arm.id} ${Math.round(ordersPerSecond(runs.get(arm.id)!.orders.at(-1)!))}`).join(', ');
          ctx.log(`  round ${round + 1}: orders/s ${line}`);
        }
      } finally {
        await sink.stop();
      }
      const off = runs.get('off')!;
      const against = (arm: Arm, baseline: Arm, load: 'orders' | 'menu', what: 'rate' | 'cpu', target?: number): Metric => {
        const value = what === 'rate' ? (load === 'orders' ? ordersPerSecond : (r: LoadResult) => r.rps) : (r: LoadResult) => r.cpuUsPerResponse ?? Number.NaN;
        const subject = load === 'orders' ? 'POST /api/v1/orders' : 'GET /api/v1/menu';
        const measureLabel = what === 'rate' ? (load === 'orders' ? 'orders/s' : 'req/s') : 'server CPU per request';
        const unit = what === 'rate' ? (load === 'orders' ? 'orders/s' : 'req/s') : 'µs';
        return metric({
          key: `tracing.${load}.${what}.${arm.id}`,
          label: `${subject} ${measureLabel}, ${arm.label}`,
          unit,
          runs: runs.get(arm.id)![load].map(value),
          baseline: { label: baseline.label, runs: runs.get(baseline.id)![load].map(value), unit },
          ...(target ? { target: { on: 'ratio' as const, op: '>=' as const, value: target } } : {}),
          digits: what === 'cpu' ? 1 : 0,
        });
      };
      const offArm = arms[0]!;
      const metrics: Metric[] = [];
      for (const arm of arms.slice(1)) {
        if (arm.id === 'reference') continue;
        metrics.push(
          against(arm, offArm, 'orders', 'rate', arm.id === 'on' ? 0.9 : undefined),
          against(arm, offArm, 'orders', 'cpu'),
          against(arm, offArm, 'menu', 'rate'),
          against(arm, offArm, 'menu', 'cpu'),
        );
      }
      const reference = arms.find((arm) => arm.id === 'reference');
      if (reference) {
        metrics.push(
          against(offArm, reference, 'orders', 'rate'),
          against(offArm, reference, 'orders', 'cpu'),
          against(offArm, reference, 'menu', 'rate'),
          against(offArm, reference, 'menu', 'cpu'),
        );
      }
      metrics.push(
        metric({
          key: 'tracing.orders.p99.on',
          label: 'POST /api/v1/orders p99, tracing on (every request sampled)',
          unit: 'ms',
          runs: runs.get('on')!.orders.map((r) => r.p99Ms),
          baseline: { label: 'tracing off', runs: off.orders.map((r) => r.p99Ms), unit: 'ms' },
          digits: 1,
        }),
      );
      const refused = arms.flatMap((arm) =>
        runs.get(arm.id)!.orders.flatMap((r, i) => {
          const other = Object.entries(r.statuses).filter(([code]) => code !== '201');
          return other.length > 0 || r.errors > 0 ? [`${arm.id} round ${i + 1}: ${other.map(([c, n]) => `${n}× ${c}`).join(', ')}${r.errors ? ` ${r.errors} errors` : ''}`] : [];
        }),
      );
      return {
        metrics,
        checks: [{ label: 'every order of every arm answered 201', ok: refused.length === 0, detail: refused.length === 0 ? 'yes' : refused.join('; ') }],
        notes: [
          `tracing on: OTEL_EXPORTER_OTLP_ENDPOINT set, batch span processor, OTLP/protobuf to a local sink that received ${sink.requests} exports (${Math.round(sink.bytes / 1024)} KiB); sampled: OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=${SAMPLED_RATIO}`,
          'AsyncLocalStorage enabled: tracing off, the process started with bench/src/baseline/async-context.cjs preloaded (an empty store entered at start-up, so Node runs its promise hooks as the context manager makes it do when tracing is on)',
          `each run: a fresh process and database with ${STOCK.toLocaleString('en')} units per item; menu ${options.seconds} s after 1 s of warm-up; orders (one unit each, simulate: false) ${options.seconds} s after ${WARM_UP_SECONDS} s of warm-up`,
          ...(options.reference && kind !== 'embedded' ? ['--reference runs only against the embedded topology'] : []),
        ],
      };
    },
  };
}
