// `pnpm --filter @pizza/bench profile -- <load> [--seconds n] [--tracing]`: runs one load against the built
// all-in-one process started with `node --cpu-prof`, then prints the functions with the most
// self time. Loads: menu, menu-304, trpc-menu, orders, push, and pipeline (the distributed topology
// while 300 orders walk the lifecycle: every service is profiled, and each gets a summary). The .cpuprofile stays in
// bench/results/profiles/ (open it in Chrome DevTools for the call tree). `--tracing` turns tracing
// on (every request sampled, OTLP/protobuf to a local sink), as the tracing-cost scenario does.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep, stopAllChildren } from './children';
import { runLoad } from './http-load';
import { createOrder, dealer, orderBody, readMenu, stockDeck } from './orders-api';
import { RESULTS_DIR } from './paths';
import { summarizeProfile, type CpuProfile } from './profile-summary';
import { deliveredCounter } from './scenarios/pipeline';
import { inBatches } from './scenarios/push-latency';
import { startSpanSink } from './span-sink';
import { startTopology } from './topology';
import { followOrder, trackingUrl } from './tracking-client';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), allowPositionals: true, options: { seconds: { type: 'string', default: '8' }, tracing: { type: 'boolean', default: false } } });
  const load = positionals[0] ?? 'orders';
  const seconds = Number(values.seconds);
  const dir = join(RESULTS_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const zero = { SIM_CONFIRM_DELAY_MS: '0', SIM_PREPARE_DELAY_MS: '0', SIM_PICKUP_DELAY_MS: '0', SIM_TRANSIT_DELAY_MS: '0' };
  const kind = load === 'pipeline' ? 'distributed' : 'embedded';
  const sink = values.tracing ? await startSpanSink() : null;
  const env = { ...(load === 'push' || load === 'pipeline' ? zero : {}), ...(sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}) };
  const profiling = ['--cpu-prof', '--cpu-prof-dir', dir];
  // the pipeline profiles every service
  const system = await startTopology(kind, env, kind === 'distributed' ? { everyProcess: profiling } : profiling);
  let window: { from: number; to: number } | undefined;
  try {
    const url = system.apiUrl;
    // a warm-up that stays out of the summary (start-up, JIT, lazy compilation)
    const warm = async (work: () => Promise<unknown>) => {
      await work();
      const from = monotonicUs();
      const result = await work();
      window = { from, to: monotonicUs() };
      return result;
    };
    if (load === 'orders') {
      const next = dealer(stockDeck(await readMenu(url)));
      const orders = (amount: number) => runLoad({ url, connections: 50, amount, requests: [{ method: 'POST', path: '/api/v1/orders', headers: { 'content-type': 'application/json' }, setupRequest: (r) => ({ ...r, body: orderBody(next(), false) }) }] });
      await orders(150);
      const from = monotonicUs();
      const result = await orders(1600);
      window = { from, to: monotonicUs() };
      console.log(`${Math.round(result.rps)} orders/s over ${result.seconds} s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, statuses ${JSON.stringify(result.statuses)}`);
    } else if (load === 'pipeline') {
      const next = dealer(stockDeck(await readMenu(url)));
      const delivered = deliveredCounter(system.redisUrl!);
      const from = monotonicUs();
      await inBatches(300, 16, async () => void (await createOrder(url, next(), true)));
      for (const deadline = Date.now() + 180_000; delivered.count() < 300 && Date.now() < deadline; ) await sleep(20);
      window = { from, to: monotonicUs() };
      delivered.stop();
      console.log(`${delivered.count()} of 300 orders delivered in ${((window.to - from) / 1e6).toFixed(1)} s`);
    } else if (load === 'push') {
      const next = dealer(stockDeck(await readMenu(url)));
      await warm(async () => {
        for (let i = 0; i < 50; i += 1) {
          const order = await createOrder(url, next(), true);
          await followOrder(trackingUrl(system.wsUrl, order.id), (m) => m.status === 'delivered', 10_000);
        }
      });
    } else {
      const path = load === 'trpc-menu' ? '/api/trpc/menu.list' : '/api/v1/menu';
      const etag = (await fetch(`${url}/api/v1/menu`)).headers.get('etag') ?? '';
      const headers = load === 'menu-304' ? { 'if-none-match': etag } : {};
      await runLoad({ url: `${url}${path}`, connections: 50, duration: 2, headers });
      const from = monotonicUs();
      const result = await runLoad({ url: `${url}${path}`, connections: 50, duration: seconds, headers });
      window = { from, to: monotonicUs() };
      console.log(`${Math.round(result.rps)} req/s, p99 ${result.p99Ms} ms`);
    }
  } finally {
    try {
      await system.stop();
    } finally {
      await sink?.stop();
    }
  }
  const written = readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile'));
  const files = written.map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) throw new Error('no .cpuprofile was written');
  // the file names carry the process id: name each profile after its service
  const serviceOf = (file: string) => system.processes.find((p) => file.includes(`.${p.pid}.`))?.name ?? 'unknown process';
  for (const file of kind === 'distributed' ? files : files.slice(0, 1)) {
    console.log(`${kind === 'distributed' ? `${serviceOf(file)}: ` : ''}${file}\n`);
    console.log(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, window));
  }
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await stopAllChildren();
    console.error(error);
    process.exit(1);
  },
);
