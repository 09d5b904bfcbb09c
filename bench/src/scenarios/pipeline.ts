import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STREAMS } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { cpuMs, isAlive, sleep, startChild } from '../children';
import { createOrder, dealer, readMenu, stockDeck } from '../orders-api';
import { BASELINE, BENCH_DIR } from '../paths';
import { metric, type Metric } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { childEnv, startRedis, startTopology } from '../topology';
import { inBatches, ZERO_DELAYS } from './push-latency';

/** Orders posted at once (HTTP requests in flight); every one is then walked to delivered by the workers. */
const IN_FLIGHT = 16;
/** XREADGROUP COUNT of our consumers: their free handler slots (concurrency 32) split over their streams. */
const READ_BATCH = 32;
const DEADLINE_MS = 180_000;
const LIFECYCLE_STREAMS = Object.values(STREAMS).filter((stream) => stream !== STREAMS.deadLetters);

interface Round {
  ms: number;
  orders: number;
  events: number;
  /** Stream entries handed to consumer groups (entries × groups of their stream). */
  groupDeliveries: number;
  /** CPU milliseconds per process name over the run. */
  cpu: Record<string, number>;
}

/** Entries and consumer groups per lifecycle stream, read from Redis. */
async function streamCounts(redis: Redis): Promise<{ events: number; groupDeliveries: number }> {
  let events = 0;
  let groupDeliveries = 0;
  for (const stream of LIFECYCLE_STREAMS) {
    const entries = await redis.xlen(stream);
    const groups = entries === 0 ? [] : ((await redis.xinfo('GROUPS', stream)) as unknown[]);
    events += entries;
    groupDeliveries += entries * groups.length;
  }
  return { events, groupDeliveries };
}

/** Counts `order.status_updated … delivered` entries on the orders stream from now on (XREAD tail). */
export function deliveredCounter(url: string): { count: () => number; stop: () => void } {
  const reader = new Redis(url);
  let delivered = 0;
  let stopped = false;
  void (async () => {
    let last = '$';
    while (!stopped) {
      const reply = (await reader.xread('COUNT', 500, 'BLOCK', 500, 'STREAMS', STREAMS.orders, last).catch(() => null)) ?? [];
      for (const [id, fields] of reply[0]?.[1] ?? []) {
        last = id;
        const envelope = JSON.parse(fields[1] ?? '{}') as { type?: string; payload?: { status?: string } };
        if (envelope.type === 'order.status_updated' && envelope.payload?.status === 'delivered') delivered += 1;
      }
    }
  })();
  return {
    count: () => delivered,
    stop: () => {
      stopped = true;
      reader.disconnect();
    },
  };
}

async function systemRound(orders: number): Promise<Round> {
  const topology = await startTopology('distributed', ZERO_DELAYS);
  const redis = new Redis(topology.redisUrl!);
  const delivered = deliveredCounter(topology.redisUrl!);
  try {
    const next = dealer(stockDeck(await readMenu(topology.apiUrl)));
    const before = await streamCounts(redis);
    const cpuBefore = topology.processes.map((p) => cpuMs(p.pid));
    const started = performance.now();
    await inBatches(orders, IN_FLIGHT, async () => void (await createOrder(topology.apiUrl, next(), true)));
    const deadline = Date.now() + DEADLINE_MS;
    while (delivered.count() < orders) {
      if (Date.now() > deadline) throw new Error(`only ${delivered.count()} of ${orders} orders delivered within ${DEADLINE_MS} ms`);
      await sleep(20);
    }
    const ms = performance.now() - started;
    const cpu = Object.fromEntries(topology.processes.map((p, i) => [p.name, cpuMs(p.pid) - cpuBefore[i]!]));
    const after = await streamCounts(redis);
    return { ms, orders, events: after.events - before.events, groupDeliveries: after.groupDeliveries - before.groupDeliveries, cpu };
  } finally {
    delivered.stop();
    redis.disconnect();
    await topology.stop();
  }
}

/** The bare ioredis loop on a fresh redis-server, shaped like the system's run (stages and groups per event). */
async function bareRound(shape: Round): Promise<Round> {
  const stages = Math.max(1, Math.round(shape.events / shape.orders));
  const groups = Math.max(1, Math.round(shape.groupDeliveries / shape.events));
  const dir = await mkdtemp(join(tmpdir(), 'pizza-bench-pipeline-'));
  const redis = await startRedis(dir);
  try {
    const plan = { orders: shape.orders, stages, groups, batch: READ_BATCH };
    const loop = startChild('baseline-stream-loop', process.execPath, [BASELINE.streamLoop], {
      env: childEnv({ REDIS_URL: redis.url, BASELINE_PLAN: JSON.stringify(plan) }),
      cwd: BENCH_DIR,
    });
    const redisCpu = cpuMs(redis.child.pid);
    const deadline = Date.now() + DEADLINE_MS;
    while (isAlive(loop)) {
      if (Date.now() > deadline) throw new Error('the bare stream loop did not finish in time');
      await sleep(20);
    }
    const line = loop.output().trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(line) as { ms: number; cpuMs: number; events: number };
    return {
      ms: result.ms,
      orders: shape.orders,
      events: result.events,
      groupDeliveries: result.events * groups,
      cpu: { 'stream-loop': result.cpuMs, 'redis-server': cpuMs(redis.child.pid) - redisCpu },
    };
  } finally {
    await redis.child.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Scenario 7 (distributed only): orders walk the whole lifecycle with zero simulator delays, through
 * the order service, simulator, delivery and notifications over Redis Streams. Baseline: a bare ioredis
 * loop moving as many entries through as many stages and consumer groups, with the same read batch.
 */
export function pipelineScenario(ctx: ScenarioContext): ScenarioSpec {
  const { options } = ctx;
  const orders = options.quick ? 60 : 300;
  return {
    id: 'pipeline',
    title: `Pipeline: ${orders} orders through the whole lifecycle, zero simulator delays`,
    topology: 'distributed',
    async run() {
      const system: Round[] = [];
      const bare: Round[] = [];
      const rounds = Math.min(options.rounds, 3);
      for (let round = 0; round < rounds; round += 1) {
        // the first round runs the system first: its stream counts shape the bare loop
        await alternate(
          round,
          async () => void system.push(await systemRound(orders)),
          async () => void bare.push(await bareRound(system.at(-1) ?? system[0]!)),
        );
        const s = system.at(-1)!;
        const b = bare.at(-1)!;
        ctx.log(`  round ${round + 1}: ${Math.round((s.events / s.ms) * 1000)} events/s, ${Math.round((s.orders / s.ms) * 1000)} orders/s (${s.events} events, ${(s.events / s.orders).toFixed(1)} per order); bare loop ${Math.round((b.events / b.ms) * 1000)} events/s`);
      }
      const perSecond = (rs: Round[], of: (r: Round) => number) => rs.map((r) => (of(r) / r.ms) * 1000);
      const cpuPerEvent = (rs: Round[], name: string) => rs.map((r) => ((r.cpu[name] ?? Number.NaN) * 1000) / r.events);
      const services = Object.keys(system[0]?.cpu ?? {});
      const cpuMetrics: Metric[] = services.map((name) =>
        metric({
          key: `pipeline.cpu.${name}`,
          label: `CPU per event, ${name}`,
          unit: 'µs',
          runs: cpuPerEvent(system, name),
          ...(name === 'redis-server' ? { baseline: { label: 'redis-server under the bare loop', runs: cpuPerEvent(bare, 'redis-server') } } : {}),
          digits: 1,
        }),
      );
      return {
        metrics: [
          metric({
            key: 'pipeline.events',
            label: 'lifecycle events/s through the pipeline',
            unit: 'events/s',
            runs: perSecond(system, (r) => r.events),
            baseline: { label: 'bare ioredis XADD/XREADGROUP/XACK loop', runs: perSecond(bare, (r) => r.events) },
            target: { on: 'ratio', op: '>=', value: 0.5 },
            digits: 0,
          }),
          metric({ key: 'pipeline.orders', label: 'orders/s delivered end to end', unit: 'orders/s', runs: perSecond(system, (r) => r.orders), digits: 0 }),
          metric({ key: 'pipeline.perOrder', label: 'stream entries per order', unit: 'events', runs: system.map((r) => r.events / r.orders), digits: 1 }),
          ...cpuMetrics,
          metric({ key: 'pipeline.cpu.loop', label: 'CPU per event, bare loop process', unit: 'µs', runs: cpuPerEvent(bare, 'stream-loop'), digits: 1 }),
        ],
        notes: [
          `SIM_*_DELAY_MS=0; ${orders} orders posted ${IN_FLIGHT} at a time (simulate: true); time from the first POST until the orders stream carries every order's \`delivered\``,
          `bare loop: as many stages as stream entries per order and as many consumer groups per stream as the system had (rounded), XREADGROUP COUNT ${READ_BATCH}, one pipeline (XADDs + one multi-id XACK) per batch; it has no storage, no notifications' XREAD tail and no HTTP`,
        ],
      };
    },
  };
}
