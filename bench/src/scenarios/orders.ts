import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import Database from 'better-sqlite3';
import type { MenuItem, Order } from '@pizza/contracts';
import { startOrdersBaseline } from '../baselines';
import { sleep } from '../children';
import { RAMP_MS, runLoad, warmUp, type LoadResult } from '../http-load';
import { dealer, orderBody, readMenu, stockDeck } from '../orders-api';
import { metric, type Check } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { startTopology, type TopologyKind } from '../topology';

/** Seconds of orders before the measured run, on both sides (JIT, caches, the first group commits); counted in the oversell check too. */
const WARM_UP_SECONDS = 2;
/** Units per item on both sides: far more than any run sells, so every order of a timed run is accepted. */
const STOCK = 100_000_000;

export const ordersPerSecond = (run: LoadResult): number => (run.statuses['201'] ?? 0) / run.seconds;

/** What the server accepted, from the 201 bodies. */
export class Ledger {
  accepted = new Map<string, number>();
  statuses = new Map<number, number>();
  issued = 0;
  answered = 0;

  record(status: number, body: string): void {
    this.answered += 1;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status !== 201) return;
    for (const line of (JSON.parse(body) as Order).items) this.accepted.set(line.menuItemId, (this.accepted.get(line.menuItemId) ?? 0) + line.quantity);
  }
}

export function orderRequests(next: () => string, ledger: Ledger): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/orders',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        ledger.issued += 1;
        return { ...request, body: orderBody(next(), false) };
      },
      onResponse: (status, body) => ledger.record(status, body),
    },
  ];
}

/**
 * Stock taken per item must cover the quantities of the orders accepted (201), and anything taken
 * beyond them must be accounted for by requests that got no answer: a timed run ends with up to one
 * request per connection in flight, which the server may have placed. More would be oversell.
 */
function oversellCheck(before: MenuItem[], after: MenuItem[], ledger: Ledger, round: number): Check {
  const problems: string[] = [];
  let taken = 0;
  let accepted = 0;
  for (const item of before) {
    const now = after.find((i) => i.id === item.id)?.stock ?? Number.NaN;
    const diff = item.stock - now;
    const sold = ledger.accepted.get(item.id) ?? 0;
    taken += diff;
    accepted += sold;
    if (!(diff >= sold) || now < 0) problems.push(`${item.id}: stock ${item.stock}→${now} (taken ${diff}), accepted ${sold}`);
  }
  const unanswered = ledger.issued - ledger.answered;
  if (taken - accepted > unanswered) problems.push(`${taken - accepted} units taken beyond the accepted orders, but only ${unanswered} requests went unanswered`);
  const statuses = [...ledger.statuses].map(([s, n]) => `${s}×${n}`).join(', ');
  return {
    label: `round ${round + 1}: stock accounting (stock taken = quantities accepted, plus at most the requests left unanswered)`,
    ok: problems.length === 0,
    detail: `${taken} units taken, ${accepted} accepted, ${unanswered} requests unanswered when the run ended; responses ${statuses}${problems.length ? `; ${problems.join('; ')}` : ''}`,
  };
}

/**
 * Scenario 2: `POST /api/v1/orders` (simulate: false) with 50 connections, one unit per order,
 * round-robin over the menu. Every round gets a fresh process and database on both sides, with the
 * stock of every item raised so that a timed run never sells out; both take the same warm-up, then
 * `--seconds` of orders each (alternating which goes first). Stock taken must cover the quantities
 * of the 201 answers, and exceed them by no more than the requests left unanswered (stock
 * accounting; with raised stock no run comes near selling out).
 */
export function ordersScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  return {
    id: 'orders',
    title: `POST /api/v1/orders, ${options.connections} connections`,
    topology: kind,
    async run() {
      const system: LoadResult[] = [];
      const bare: LoadResult[] = [];
      const checks: Check[] = [];
      const notes: string[] = [];
      for (let round = 0; round < options.rounds; round += 1) {
        const dir = await mkdtemp(join(tmpdir(), 'pizza-bench-orders-'));
        const database = join(dir, 'pizza.db');
        const topology = await startTopology(kind, { DATABASE_URL: `sqlite:${database}` });
        const baseline = await startOrdersBaseline(join(dir, 'baseline.db'), STOCK).catch(async (error: unknown) => {
          await topology.stop();
          throw error;
        });
        try {
          raiseStock(database, STOCK);
          await sleep(1100); // past the menu cache's TTL: the menu read below shows the raised stock
          // Both start from the same stock, take the same warm-up and then orders for as long.
          const before = await readMenu(topology.apiUrl);
          const ledger = new Ledger();
          const bareLedger = new Ledger();
          const next = dealer(stockDeck(before));
          const bareNext = dealer(stockDeck(before));
          const orders = (url: string, ledger_: Ledger, deal: () => string, duration: number) => ({ url, connections: options.connections, duration, requests: orderRequests(deal, ledger_) });
          await runLoad(orders(topology.apiUrl, ledger, next, WARM_UP_SECONDS));
          await runLoad(orders(baseline.url, bareLedger, bareNext, WARM_UP_SECONDS));
          await alternate(
            round,
            async () => void system.push(await runLoad(orders(topology.apiUrl, ledger, next, options.seconds), topology.apiPid)),
            async () => void bare.push(await runLoad(orders(baseline.url, bareLedger, bareNext, options.seconds), baseline.pid)),
          );
          const run = system.at(-1)!;
          const bareRun = bare.at(-1)!;
          ctx.log(`  round ${round + 1}: ${Math.round(ordersPerSecond(run))} orders/s, p99 ${run.p99Ms} ms; bare orders server ${Math.round(ordersPerSecond(bareRun))} orders/s, p99 ${bareRun.p99Ms} ms`);
          await sleep(1100); // past the menu cache's TTL
          checks.push(oversellCheck(before, await readMenu(topology.apiUrl), ledger, round));
          if (run.timeouts > 0 || run.errors > 0) notes.push(`round ${round + 1}: ${run.timeouts} timeouts, ${run.errors} connection errors`);
        } finally {
          await Promise.all([topology.stop(), baseline.stop()]);
          await rm(dir, { recursive: true, force: true });
        }
      }
      notes.push(`each round: a fresh process and database on both sides with ${STOCK.toLocaleString('en')} units per item; ${WARM_UP_SECONDS} s of warm-up orders, then ${options.seconds} s of one-unit orders (simulate: false)`);
      return {
        metrics: [
          metric({
            key: 'orders.rps',
            label: 'POST /api/v1/orders orders/s',
            unit: 'orders/s',
            runs: system.map(ordersPerSecond),
            baseline: { label: 'bare node:http + better-sqlite3, one IMMEDIATE transaction per order, synchronous=FULL', runs: bare.map(ordersPerSecond), unit: 'orders/s' },
            target: { on: 'ratio', op: '>=', value: 1.0 },
            digits: 0,
          }),
          metric({
            key: 'orders.cpu',
            label: 'POST /api/v1/orders server CPU per order',
            unit: 'µs',
            runs: system.map((r) => r.cpuUsPerResponse ?? Number.NaN),
            baseline: { label: 'bare orders server', runs: bare.map((r) => r.cpuUsPerResponse ?? Number.NaN), unit: 'µs/order' },
            digits: 1,
          }),
          metric({ key: 'orders.p50', label: 'POST /api/v1/orders p50', unit: 'ms', runs: system.map((r) => r.p50Ms), baseline: { label: 'bare orders server', runs: bare.map((r) => r.p50Ms) } }),
          metric({ key: 'orders.p99', label: 'POST /api/v1/orders p99', unit: 'ms', runs: system.map((r) => r.p99Ms), baseline: { label: 'bare orders server', runs: bare.map((r) => r.p99Ms) }, target: { on: 'value', op: '<=', value: 25 } }),
          metric({
            key: 'orders.p99AfterRamp',
            label: `POST /api/v1/orders p99 of requests sent after the first ${RAMP_MS} ms`,
            unit: 'ms',
            runs: system.flatMap((r) => (r.p99AfterRampMs === null ? [] : [r.p99AfterRampMs])),
            note: 'informational: leaves out the first round trips of the 50 new connections, which wait longest under saturation',
          }),
        ],
        checks,
        notes,
      };
    },
  };
}

/** Stock far above anything a run sells, written to the run's database file while the server runs (WAL: a second connection may write). */
export function raiseStock(database: string, stock: number): void {
  const db = new Database(database);
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE menu_items SET stock = ?').run(stock);
  } finally {
    db.close();
  }
}
