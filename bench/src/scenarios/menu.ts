import { startHttpBaseline, type BaselineServer, type CannedResponse } from '../baselines';
import { runLoad, warmUp, type LoadResult } from '../http-load';
import { metric, type Check, type Metric } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { startTopology, type Topology, type TopologyKind } from '../topology';

/** What the web app's httpBatchLink sends for `menu.list` (void input) when it polls the menu. */
const TRPC_MENU_LIST = '/api/trpc/menu.list?batch=1&input=%7B%7D';

/** Response headers the baseline repeats (node adds date, connection, keep-alive, length itself). */
const COPIED_HEADERS = ['content-type', 'etag', 'cache-control', 'x-request-id', 'vary'];

/** The bytes and headers the system answers with, for the baseline to answer the same. */
export async function capture(url: string, headers: Record<string, string> = {}): Promise<CannedResponse> {
  const res = await fetch(url, { headers });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 300)}`);
  const copied: Record<string, string> = {};
  for (const name of COPIED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) copied[name] = value;
  }
  return { status: res.status, headers: copied, body };
}

interface Variant {
  key: string;
  label: string;
  path: string;
  headers: Record<string, string>;
  expectStatus: number;
  rounds: number;
  target?: { on: 'ratio'; op: '>='; value: number };
}

/** Scenario 1: `GET /api/v1/menu` (plus tRPC `menu.list` and the 304 path) against a bare node:http server. */
export function menuScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  return {
    id: 'menu',
    title: `GET /api/v1/menu, ${options.connections} connections`,
    topology: kind,
    async run() {
      let system: Topology | null = null;
      let baseline: BaselineServer | null = null;
      try {
        system = await startTopology(kind);
        const menu = await capture(`${system.apiUrl}/api/v1/menu`);
        const trpc = await capture(`${system.apiUrl}${TRPC_MENU_LIST}`);
        const etag = menu.headers.etag;
        if (!etag) throw new Error('GET /api/v1/menu sent no ETag');
        baseline = await startHttpBaseline({ 'GET /api/v1/menu': menu, [`GET ${TRPC_MENU_LIST}`]: trpc });

        const extraRounds = Math.min(options.rounds, 3);
        const variants: Variant[] = [
          { key: 'menu', label: 'GET /api/v1/menu', path: '/api/v1/menu', headers: {}, expectStatus: 200, rounds: options.rounds, target: { on: 'ratio', op: '>=', value: 0.8 } },
          { key: 'menu-304', label: 'GET /api/v1/menu + If-None-Match (304)', path: '/api/v1/menu', headers: { 'if-none-match': etag }, expectStatus: 304, rounds: extraRounds },
          { key: 'trpc-menu', label: 'tRPC menu.list (as the web app batches it)', path: TRPC_MENU_LIST, headers: {}, expectStatus: 200, rounds: extraRounds },
        ];
        const metrics: Metric[] = [];
        const checks: Check[] = [];
        for (const variant of variants) {
          const runs = { system: [] as LoadResult[], baseline: [] as LoadResult[] };
          const load = (url: string) => ({ url: `${url}${variant.path}`, headers: variant.headers, connections: options.connections, duration: options.seconds });
          await warmUp(load(system.apiUrl));
          await warmUp(load(baseline.url));
          for (let round = 0; round < variant.rounds; round += 1) {
            await alternate(
              round,
              async () => void runs.baseline.push(await runLoad(load(baseline!.url), baseline!.pid)),
              async () => void runs.system.push(await runLoad(load(system!.apiUrl), system!.apiPid)),
            );
            ctx.log(`  ${variant.key} round ${round + 1}: system ${Math.round(runs.system.at(-1)!.rps)} req/s, baseline ${Math.round(runs.baseline.at(-1)!.rps)} req/s`);
          }
          metrics.push(
            metric({
              key: `${variant.key}.rps`,
              label: `${variant.label} req/s`,
              unit: 'req/s',
              runs: runs.system.map((r) => r.rps),
              baseline: { label: 'bare node:http, same bytes', runs: runs.baseline.map((r) => r.rps) },
              ...(variant.target ? { target: variant.target } : {}),
              digits: 0,
            }),
            metric({
              key: `${variant.key}.cpu`,
              label: `${variant.label} server CPU per request`,
              unit: 'µs',
              runs: runs.system.map((r) => r.cpuUsPerResponse ?? Number.NaN),
              baseline: { label: 'bare node:http', runs: runs.baseline.map((r) => r.cpuUsPerResponse ?? Number.NaN) },
              digits: 1,
            }),
            metric({
              key: `${variant.key}.p99`,
              label: `${variant.label} p99`,
              unit: 'ms',
              runs: runs.system.map((r) => r.p99Ms),
              baseline: { label: 'bare node:http', runs: runs.baseline.map((r) => r.p99Ms) },
            }),
          );
          const unexpected = runs.system.reduce((n, r) => n + r.total - (r.statuses[String(variant.expectStatus)] ?? 0), 0);
          const errors = runs.system.reduce((n, r) => n + r.errors, 0);
          checks.push({
            label: `${variant.label}: every response ${variant.expectStatus}`,
            ok: unexpected === 0 && errors === 0,
            detail: `${unexpected} other statuses, ${errors} connection errors`,
          });
        }
        const notes = [
          'the load generator (autocannon) runs in the bench process on the same cores: when it, not the server, is the limit, both sides read alike; server CPU per request (utime+stime from /proc) is the steadier comparison',
        ];
        return { metrics, checks, notes };
      } finally {
        await baseline?.stop();
        await system?.stop();
      }
    },
  };
}
