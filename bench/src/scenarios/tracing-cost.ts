import { runLoad, warmUp, type LoadResult } from '../http-load';
import { dealer, readMenu, stockDeck } from '../orders-api';
import { metric } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { startSpanSink } from '../span-sink';
import { startTopology, type TopologyKind } from '../topology';
import { Ledger, orderRequests } from './orders';

/** Orders per measured run: well below the seeded stock, so every one is accepted. */
const ORDERS_PER_RUN = 1200;

/**
 * The cost of tracing: the orders and menu loads against the same topology with tracing off and
 * with tracing on (every request sampled, batch span processor, OTLP/protobuf to a local sink),
 * interleaved round by round. Each run gets a fresh process and database.
 */
export function tracingCostScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  return {
    id: 'tracing',
    title: `Tracing off vs on: POST /api/v1/orders and GET /api/v1/menu, ${options.connections} connections`,
    topology: kind,
    async run() {
      const sink = await startSpanSink();
      const runs = { off: { orders: [] as LoadResult[], menu: [] as LoadResult[] }, on: { orders: [] as LoadResult[], menu: [] as LoadResult[] } };
      const measure = async (mode: 'off' | 'on') => {
        const topology = await startTopology(kind, mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {});
        try {
          const menu = { url: `${topology.apiUrl}/api/v1/menu`, connections: options.connections, duration: options.seconds };
          await warmUp(menu);
          runs[mode].menu.push(await runLoad(menu, topology.apiPid));
          const next = dealer(stockDeck(await readMenu(topology.apiUrl)));
          const orders = (amount: number) => ({ url: topology.apiUrl, connections: options.connections, amount, requests: orderRequests(next, new Ledger()) });
          await runLoad(orders(150)); // JIT warm-up
          runs[mode].orders.push(await runLoad(orders(ORDERS_PER_RUN), topology.apiPid));
        } finally {
          await topology.stop();
        }
      };
      try {
        for (let round = 0; round < options.rounds; round += 1) {
          await alternate(round, () => measure('off'), () => measure('on'));
          const rate = (r: LoadResult) => Math.round((r.statuses['201'] ?? 0) / r.seconds);
          ctx.log(`  round ${round + 1}: orders/s off ${rate(runs.off.orders.at(-1)!)} on ${rate(runs.on.orders.at(-1)!)}; menu req/s off ${Math.round(runs.off.menu.at(-1)!.rps)} on ${Math.round(runs.on.menu.at(-1)!.rps)}`);
        }
      } finally {
        await sink.stop();
      }
      const ordersPerSecond = (r: LoadResult) => (r.statuses['201'] ?? 0) / r.seconds;
      const onAgainstOff = (key: string, label: string, unit: string, load: 'orders' | 'menu', value: (r: LoadResult) => number, targetRatio?: number) =>
        metric({
          key,
          label: `${label}, tracing on`,
          unit,
          runs: runs.on[load].map(value),
          baseline: { label: 'tracing off', runs: runs.off[load].map(value), unit },
          ...(targetRatio ? { target: { on: 'ratio' as const, op: '>=' as const, value: targetRatio } } : {}),
          digits: unit === 'ms' ? 1 : 0,
        });
      return {
        metrics: [
          onAgainstOff('tracing.orders.rps', 'POST /api/v1/orders orders/s', 'orders/s', 'orders', ordersPerSecond, 0.9),
          onAgainstOff('tracing.orders.p99', 'POST /api/v1/orders p99', 'ms', 'orders', (r) => r.p99Ms),
          onAgainstOff('tracing.menu.rps', 'GET /api/v1/menu req/s', 'req/s', 'menu', (r) => r.rps),
        ],
        notes: [
          `tracing on: OTEL_EXPORTER_OTLP_ENDPOINT set, default sampler (every request sampled), batch span processor, OTLP/protobuf to a local sink that received ${sink.requests} exports (${Math.round(sink.bytes / 1024)} KiB)`,
          `each run: a fresh process and database; 150 warm-up orders, then ${ORDERS_PER_RUN} one-unit orders (simulate: false)`,
        ],
      };
    },
  };
}
