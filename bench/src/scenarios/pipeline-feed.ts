import { MenuItem } from '@pizza/contracts';
import { cpuMs, sleep } from '../children';
import { metric } from '../results';
import { median } from '../stats';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { startTopology, type TopologyKind } from '../topology';

/** Seconds each phase measures. */
const PHASE_SECONDS = 10;
/** Orders per second the admin load generator places in the loaded phases. */
const LOAD_RATE = 20;

/** A browser following the live pipeline: the `admin.pipeline` subscription over SSE, counting snapshots. */
function followFeed(apiUrl: string): { snapshots: () => number; stop: () => Promise<void> } {
  const abort = new AbortController();
  let snapshots = 0;
  const done = (async () => {
    const res = await fetch(`${apiUrl}/api/trpc/admin.pipeline`, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`admin.pipeline answered ${res.status}`);
    const decoder = new TextDecoder();
    for await (const chunk of res.body) snapshots += (decoder.decode(chunk, { stream: true }).match(/"streams":/g) ?? []).length;
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) throw error;
  });
  return {
    snapshots: () => snapshots,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

/**
 * The cost of the live pipeline feed: CPU per second of every process with and without one page
 * following `admin.pipeline`, idle and while the load generator places orders, interleaved.
 */
export function pipelineFeedScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  return {
    id: 'feed',
    title: `Live pipeline feed: CPU per second with and without a follower, idle and at ${LOAD_RATE} orders/s`,
    topology: kind,
    async run() {
      const topology = await startTopology(kind);
      const runs: Record<string, Record<string, number[]>> = { 'idle-off': {}, 'idle-on': {}, 'load-off': {}, 'load-on': {} };
      let snapshotsPerSecond: number[] = [];
      const admin = (path: string, init?: RequestInit) =>
        fetch(`${topology.apiUrl}/api/v1/admin${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
      try {
        // enough stock that a long run never sells out
        const menu = (await (await fetch(`${topology.apiUrl}/api/v1/menu`)).json()) as unknown[];
        for (const item of menu.map((m) => MenuItem.parse(m))) await admin(`/menu/${item.id}/stock`, { method: 'PUT', body: JSON.stringify({ stock: 1_000_000 }) });
        const measure = async (phase: string, withFeed: boolean) => {
          const feed = withFeed ? followFeed(topology.apiUrl) : null;
          await sleep(1_000); // the feed is connected and past its first snapshot
          const before = topology.processes.map((p) => cpuMs(p.pid));
          const seen = feed?.snapshots() ?? 0;
          const started = performance.now();
          await sleep(PHASE_SECONDS * 1000);
          const seconds = (performance.now() - started) / 1000;
          topology.processes.forEach((p, i) => (runs[phase]![p.name] ??= []).push((cpuMs(p.pid) - before[i]!) / seconds));
          if (feed) {
            snapshotsPerSecond.push((feed.snapshots() - seen) / seconds);
            await feed.stop();
          }
        };
        const api = topology.processes[0]!.name;
        const last = (phase: string) => runs[phase]![api]!.at(-1)!.toFixed(1);
        // idle first: once orders have flowed, the simulator keeps working on them for a while
        for (let round = 0; round < options.rounds; round += 1) {
          await alternate(round, () => measure('idle-off', false), () => measure('idle-on', true));
          ctx.log(`  idle round ${round + 1}: ${api} CPU ms/s ${last('idle-off')} without a follower, ${last('idle-on')} with one`);
        }
        const duration = options.rounds * 2 * (PHASE_SECONDS + 2) + 10;
        const started = await admin('/load', { method: 'POST', body: JSON.stringify({ ordersPerSecond: LOAD_RATE, durationSeconds: duration }) });
        if (started.status !== 202 && started.status !== 200) throw new Error(`POST /admin/load answered ${started.status}: ${await started.text()}`);
        await sleep(5_000); // the pipeline is busy in every stage
        for (let round = 0; round < options.rounds; round += 1) {
          await alternate(round, () => measure('load-off', false), () => measure('load-on', true));
          ctx.log(`  load round ${round + 1}: ${api} CPU ms/s ${last('load-off')} without a follower, ${last('load-on')} with one`);
        }
        await admin('/load', { method: 'DELETE' });
      } finally {
        await topology.stop();
      }
      const names = topology.processes.map((p) => p.name);
      const total = (phase: string) => runs[phase]![names[0]!]!.map((_, i) => names.reduce((sum, name) => sum + runs[phase]![name]![i]!, 0));
      const pair = (key: string, label: string, phase: 'idle' | 'load', values: (p: string) => number[]) =>
        metric({ key, label, unit: 'ms CPU/s', runs: values(`${phase}-on`), baseline: { label: 'no follower', runs: values(`${phase}-off`), unit: 'ms CPU/s' }, digits: 1 });
      snapshotsPerSecond = snapshotsPerSecond.map((v) => Math.round(v * 100) / 100);
      return {
        metrics: [
          pair('feed.idle.api', `${names[0]} CPU, idle, one feed follower`, 'idle', (p) => runs[p]![names[0]!]!),
          pair('feed.load.api', `${names[0]} CPU at ${LOAD_RATE} orders/s, one feed follower`, 'load', (p) => runs[p]![names[0]!]!),
          ...(names.length > 1
            ? [
                pair('feed.idle.all', 'every process together (redis-server included), idle, one feed follower', 'idle', total),
                pair('feed.load.all', `every process together at ${LOAD_RATE} orders/s, one feed follower`, 'load', total),
              ]
            : []),
        ],
        notes: [
          `phases of ${PHASE_SECONDS} s, with and without a follower interleaved; snapshots received per second by the follower: ${snapshotsPerSecond.join(', ')}`,
          `CPU per process (ms/s, median of the runs): ${Object.entries(runs)
            .map(([phase, byName]) => `${phase} ${names.map((n) => `${n} ${(median(byName[n] ?? []) ?? Number.NaN).toFixed(1)}`).join(' / ')}`)
            .join('; ')}`,
        ],
      };
    },
  };
}
