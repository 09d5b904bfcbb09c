import type { TrackingMessage } from '@pizza/contracts';
import { startWsBaseline } from '../baselines';
import { createOrder, dealer, readMenu, stockDeck } from '../orders-api';
import { metric } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { percentile } from '../stats';
import { startTopology, type TopologyKind } from '../topology';
import { followOrder, trackingUrl, type Received } from '../tracking-client';

/** Every simulated step due at once: the pipeline runs as fast as the services can. */
export const ZERO_DELAYS = { SIM_CONFIRM_DELAY_MS: '0', SIM_PREPARE_DELAY_MS: '0', SIM_PICKUP_DELAY_MS: '0', SIM_TRANSIT_DELAY_MS: '0' };
/** Orders in flight at once. */
const CONCURRENCY = 4;
const FOLLOW_TIMEOUT_MS = 15_000;
/**
 * Orders walked through each fresh process before the measured ones, and not counted: a round lasts
 * about a second, so without it the figures are those of code V8 has not compiled yet.
 */
const WARMUP_ORDERS = 40;
const isFinal = (m: TrackingMessage) => m.status === 'delivered';

interface RoundSamples {
  /** Date.now() − at for every message after the first (the first is the snapshot on connect). */
  pushes: number[];
  /** Orders whose socket saw `delivered`. */
  completed: number;
  followed: number;
}

export async function inBatches(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await work(next++);
  }));
}

function collect(samples: RoundSamples, received: Received[]): void {
  samples.followed += 1;
  if (received.some((r) => isFinal(r.message))) samples.completed += 1;
  for (const r of received.slice(1)) samples.pushes.push(r.receivedAt - Date.parse(r.message.at));
}

/**
 * Scenario 3: orders walk the whole lifecycle with zero simulator delays; a tracking socket is
 * opened right after each order is created, and every pushed status is timed from its commit
 * (`at`) to its arrival. Baseline: a bare ws server pushing the same message (at = send time).
 */
export function pushLatencyScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  const target = kind === 'embedded' ? 10 : 15;
  return {
    id: 'push',
    title: `Push latency (commit → socket), ${options.pushOrders} orders per round`,
    topology: kind,
    async run() {
      const system: RoundSamples[] = [];
      const bare: RoundSamples[] = [];
      /** The warm-up orders of each fresh process, reported apart. */
      const cold: RoundSamples[] = [];
      let template: TrackingMessage | null = null;
      const rounds = Math.min(options.rounds, 3);
      for (let round = 0; round < rounds; round += 1) {
        await alternate(
          round,
          async () => {
            const topology = await startTopology(kind, ZERO_DELAYS);
            try {
              const next = dealer(stockDeck(await readMenu(topology.apiUrl)));
              const followOne = async (samples: RoundSamples) => {
                const order = await createOrder(topology.apiUrl, next(), true);
                const { received } = await followOrder(trackingUrl(topology.wsUrl, order.id), isFinal, FOLLOW_TIMEOUT_MS);
                template ??= received[0]?.message ?? null;
                collect(samples, received);
              };
              const warmup: RoundSamples = { pushes: [], completed: 0, followed: 0 };
              await inBatches(WARMUP_ORDERS, CONCURRENCY, () => followOne(warmup));
              cold.push(warmup);
              const samples: RoundSamples = { pushes: [], completed: 0, followed: 0 };
              await inBatches(options.pushOrders, CONCURRENCY, () => followOne(samples));
              system.push(samples);
            } finally {
              await topology.stop();
            }
          },
          async () => {
            // the first system round runs first and supplies the message to mimic
            if (!template) return;
            const server = await startWsBaseline('stream', template, 6);
            try {
              const followOne = async (samples: RoundSamples) => {
                let n = 0;
                const { received } = await followOrder(`${server.wsUrl}/`, () => ++n >= 7, FOLLOW_TIMEOUT_MS);
                collect(samples, received);
              };
              await inBatches(WARMUP_ORDERS, CONCURRENCY, () => followOne({ pushes: [], completed: 0, followed: 0 }));
              const samples: RoundSamples = { pushes: [], completed: 0, followed: 0 };
              await inBatches(options.pushOrders, CONCURRENCY, () => followOne(samples));
              bare.push(samples);
            } finally {
              await server.stop();
            }
          },
        );
        const s = system.at(-1);
        if (s) ctx.log(`  round ${round + 1}: ${s.pushes.length} pushes, p50 ${percentile(s.pushes, 50)} ms, p99 ${percentile(s.pushes, 99)} ms; ${s.completed}/${s.followed} orders delivered`);
      }
      const p = (rs: RoundSamples[], q: number) => rs.filter((r) => r.pushes.length > 0).map((r) => percentile(r.pushes, q)!);
      const completed = [...system, ...cold].reduce((n, r) => n + r.completed, 0);
      const followed = [...system, ...cold].reduce((n, r) => n + r.followed, 0);
      const coldPooled = cold.flatMap((r) => r.pushes);
      const pooled = system.flatMap((r) => r.pushes);
      return {
        metrics: [
          metric({ key: 'push.p50', label: 'push latency p50', unit: 'ms', runs: p(system, 50), baseline: { label: 'bare ws server', runs: p(bare, 50) } }),
          metric({ key: 'push.p99', label: 'push latency p99', unit: 'ms', runs: p(system, 99), baseline: { label: 'bare ws server', runs: p(bare, 99) }, target: { on: 'value', op: '<=', value: target } }),
          metric({ key: 'push.count', label: 'pushes measured per round', unit: 'messages', runs: system.map((r) => r.pushes.length), digits: 0 }),
        ],
        checks: [{ label: 'every followed order reached delivered on its socket', ok: completed === followed, detail: `${completed}/${followed}` }],
        notes: [
          `SIM_*_DELAY_MS=0; ${CONCURRENCY} orders in flight; latency = arrival (Date.now()) − message.at (commit time), same machine clock; the snapshot sent on connect is not counted`,
          `each round first walks ${WARMUP_ORDERS} orders through the fresh process (both sides) and does not count them; their pushes, pooled: ${coldPooled.length}, p50 ${percentile(coldPooled, 50)} ms, p99 ${percentile(coldPooled, 99)} ms`,
          `all rounds pooled: ${pooled.length} pushes, p50 ${percentile(pooled, 50)} ms, p99 ${percentile(pooled, 99)} ms, max ${percentile(pooled, 100)} ms`,
        ],
      };
    },
  };
}
