import { cpuMs } from '../children';
import { createOrder, dealer, readMenu, stockDeck } from '../orders-api';
import { metric, type Metric } from '../results';
import type { ScenarioContext, ScenarioSpec } from '../scenario';
import { startTopology, type Topology } from '../topology';
import { ZERO_DELAYS, inBatches } from './push-latency';

/** Orders placed at once; enough to keep every consumer busy, few enough to leave stock. */
const CONCURRENCY = 16;
const DRAIN_TIMEOUT_MS = 180_000;
const CONSUMERS = ['order-service', 'delivery', 'simulator'] as const;
const SERVICES = [...CONSUMERS, 'notifications'] as const;

/** The sum of a counter's samples whose labels contain `filter`, from a service's /metrics. */
async function counter(url: string, name: string, filter = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(filter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const handled = (topology: Topology, service: string) => counter(topology.services[service]!.url, 'stream_messages_processed_total', 'status="success"');
const delivered = (topology: Topology) => counter(topology.services['order-service']!.url, 'order_status_transitions_total', 'status="delivered"');

interface RoundResult {
  ordersPerSecond: number;
  /** Per service: CPU µs per order, stream messages handled per order, CPU µs per message. */
  perService: Record<string, { cpuPerOrder: number; messagesPerOrder: number; cpuPerMessage: number }>;
}

/** One round: `orders` simulated orders with zero delays, timed from the first POST until the last is delivered. */
async function runRound(orders: number): Promise<RoundResult> {
  const topology = await startTopology('distributed', ZERO_DELAYS);
  try {
    const next = dealer(stockDeck(await readMenu(topology.apiUrl)));
    const cpuBefore = Object.fromEntries(SERVICES.map((s) => [s, cpuMs(topology.services[s]!.pid)]));
    const handledBefore = Object.fromEntries(await Promise.all(CONSUMERS.map(async (s) => [s, await handled(topology, s)] as const)));
    const started = performance.now();
    await inBatches(orders, CONCURRENCY, async () => {
      await createOrder(topology.apiUrl, next(), true);
    });
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while ((await delivered(topology)) < orders) {
      if (Date.now() > deadline) throw new Error(`only ${await delivered(topology)} of ${orders} orders delivered within ${DRAIN_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const perService: RoundResult['perService'] = {};
    for (const service of SERVICES) {
      const cpuUs = (cpuMs(topology.services[service]!.pid) - cpuBefore[service]!) * 1000;
      const messages = service === 'notifications' ? 0 : (await handled(topology, service)) - handledBefore[service]!;
      perService[service] = { cpuPerOrder: cpuUs / orders, messagesPerOrder: messages / orders, cpuPerMessage: messages > 0 ? cpuUs / messages : 0 };
    }
    return { ordersPerSecond: orders / seconds, perService };
  } finally {
    await topology.stop();
  }
}

/**
 * Scenario 7 (distributed only): the event pipeline at full speed. Simulated orders with zero
 * simulator delays go through every stream and consumer group; the CPU each service process spends
 * per order and per stream message handled is what sizes the worker replicas (docs/scaling.md).
 */
export function pipelineScenario(ctx: ScenarioContext): ScenarioSpec {
  const { options } = ctx;
  const orders = options.quick ? 100 : 400;
  return {
    id: 'pipeline',
    title: `Event pipeline, ${orders} simulated orders with zero delays`,
    topology: 'distributed',
    async run() {
      const rounds: RoundResult[] = [];
      for (let round = 0; round < Math.min(options.rounds, 3); round += 1) {
        const result = await runRound(orders);
        rounds.push(result);
        const parts = SERVICES.map((s) => `${s} ${Math.round(result.perService[s]!.cpuPerOrder)} µs/order`);
        ctx.log(`  round ${round + 1}: ${Math.round(result.ordersPerSecond)} orders/s end to end; ${parts.join(', ')}`);
      }
      const runs = (pick: (r: RoundResult) => number) => rounds.map(pick);
      const metrics: Metric[] = [
        metric({ key: 'pipeline.orders', label: 'simulated orders created → delivered per second', unit: 'orders/s', runs: runs((r) => r.ordersPerSecond), digits: 0 }),
      ];
      for (const service of SERVICES) {
        metrics.push(metric({ key: `pipeline.${service}.cpuPerOrder`, label: `${service} CPU per order`, unit: 'µs', runs: runs((r) => r.perService[service]!.cpuPerOrder), digits: 0 }));
      }
      for (const service of CONSUMERS) {
        metrics.push(metric({ key: `pipeline.${service}.messagesPerOrder`, label: `${service} stream messages handled per order`, unit: 'messages', runs: runs((r) => r.perService[service]!.messagesPerOrder), digits: 1 }));
      }
      // the workers do nothing else: their CPU per message is the cost of one message
      for (const service of ['delivery', 'simulator'] as const) {
        metrics.push(metric({ key: `pipeline.${service}.cpuPerMessage`, label: `${service} CPU per stream message`, unit: 'µs', runs: runs((r) => r.perService[service]!.cpuPerMessage), digits: 0 }));
      }
      return {
        metrics,
        notes: [
          `SIM_*_DELAY_MS=0; ${CONCURRENCY} order POSTs in flight; one shared SQLite file; CPU = utime + stime of each process (/proc) from the first POST until order_status_transitions_total{status="delivered"} reaches the count`,
          'order-service CPU includes taking the orders (HTTP) and its orders-group consumer; notifications reads every order and delivery update (no sockets open)',
        ],
      };
    },
  };
}
