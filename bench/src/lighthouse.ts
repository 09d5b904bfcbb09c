// `pnpm lighthouse`: Lighthouse (mobile profile) on the menu and tracking pages of the built app,
// served by the all-in-one process; the medians of a few runs go into docs/performance.md.
// Never fails on scores. `--runs n` (default 3) runs per page; `--no-write` leaves the doc alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllChildren } from './children';
import { describeMachine } from './machine';
import { createOrder } from './orders-api';
import { REPO_DIR, missingBuilds } from './paths';
import { median } from './stats';
import { startTopology } from './topology';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
/** The metrics the performance score is made of (lab values of the simulated mobile load). */
const METRICS = [
  ['first-contentful-paint', 'FCP', 's'],
  ['largest-contentful-paint', 'LCP', 's'],
  ['total-blocking-time', 'TBT', 'ms'],
  ['cumulative-layout-shift', 'CLS', ''],
  ['speed-index', 'SI', 's'],
] as const;
const DOC = join(REPO_DIR, 'docs/performance.md');
const START = '<!-- lighthouse:start -->';
const END = '<!-- lighthouse:end -->';
const HOUR_MS = '3600000';

type Category = (typeof CATEGORIES)[number];
type Metric = (typeof METRICS)[number][0];
interface Run {
  scores: Record<Category, number | null>;
  metrics: Record<Metric, number | null>;
  load: number;
}

interface Report {
  categories: Record<string, { score: number | null } | undefined>;
  audits: Record<string, { numericValue?: number } | undefined>;
}

function audit(url: string, out: string): Run {
  const load = loadavg()[0]!;
  const result = spawnSync(
    join(REPO_DIR, 'bench/node_modules/.bin/lighthouse'),
    [url, '--quiet', '--output=json', `--output-path=${out}`, `--only-categories=${CATEGORIES.join(',')}`, '--chrome-flags=--headless=new --no-sandbox --disable-gpu'],
    { env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 },
  );
  if (result.status !== 0) throw new Error(`lighthouse on ${url} exited with ${result.status ?? result.signal}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const score = (c: Category) => {
    const value = report.categories[c]?.score;
    return value == null ? null : Math.round(value * 100);
  };
  return {
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, score(c)])) as Run['scores'],
    metrics: Object.fromEntries(METRICS.map(([id]) => [id, report.audits[id]?.numericValue ?? null])) as Run['metrics'],
    load,
  };
}

const present = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
const medianOf = (values: (number | null)[]) => median(present(values));

function formatMetric(value: number | null, unit: string): string {
  if (value === null) return '–';
  if (unit === 's') return `${(value / 1000).toFixed(1)} s`;
  if (unit === 'ms') return `${Math.round(value)} ms`;
  return value.toFixed(3);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { runs: { type: 'string', default: '3' }, 'no-write': { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const missing = missingBuilds(false);
  if (missing.length > 0) throw new Error(`build first (\`pnpm build\`): missing ${missing.join(', ')}`);
  const outDir = mkdtempSync(join(tmpdir(), 'pizza-lighthouse-'));
  // the tracking page of an order that stays put while it is audited
  const topology = await startTopology('embedded', { SIM_CONFIRM_DELAY_MS: '1000', SIM_PREPARE_DELAY_MS: HOUR_MS, SIM_PICKUP_DELAY_MS: HOUR_MS, SIM_TRANSIT_DELAY_MS: HOUR_MS });
  const results: { name: string; path: string; runs: Run[] }[] = [];
  try {
    const order = await createOrder(topology.apiUrl, 'margherita', true);
    const pages = [
      { name: 'menu', path: '/', url: '/' },
      { name: 'tracking', path: '/orders/{id}', url: `/orders/${order.id}` },
    ];
    for (const page of pages) results.push({ name: page.name, path: page.path, runs: [] });
    // pages alternate, so that a burst of load on the shared machine does not hit one page only
    for (let i = 0; i < runs; i++) {
      for (const [p, page] of pages.entries()) {
        const run = audit(`${topology.apiUrl}${page.url}`, join(outDir, `${page.name}-${i}.json`));
        results[p]!.runs.push(run);
        const metrics = METRICS.map(([id, label, unit]) => `${label} ${formatMetric(run.metrics[id], unit)}`).join(', ');
        console.log(`${page.name} #${i + 1} (load ${run.load.toFixed(1)}): ${JSON.stringify(run.scores)} ${metrics}`);
      }
    }
  } finally {
    await topology.stop();
    await stopAllChildren();
    rmSync(outDir, { recursive: true, force: true });
  }
  const machine = describeMachine();
  const loads = results.flatMap((r) => r.runs.map((run) => run.load));
  const scoreRows = results.map(({ name, path, runs: list }) => {
    const perf = list.map((r) => r.scores.performance ?? '–').join(', ');
    const cells = CATEGORIES.map((c) => medianOf(list.map((r) => r.scores[c])) ?? '–');
    return `| ${name} (\`${path}\`) | ${cells.join(' | ')} | ${perf} |`;
  });
  const metricRows = results.map(({ name, runs: list }) => `| ${name} | ${METRICS.map(([id, , unit]) => formatMetric(medianOf(list.map((r) => r.metrics[id])), unit)).join(' | ')} |`);
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`pnpm lighthouse\` (lighthouse 12.2.3, mobile profile with simulated throttling, Chromium headless) against the built app served by the all-in-one process: the median of ${runs} run${runs === 1 ? '' : 's'} per page; ${machine.cores} cores, 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the runs (a shared machine: performance varies from run to run).`,
    '',
    '| page | performance | accessibility | best practices | SEO | performance, each run |',
    '|---|---|---|---|---|---|',
    ...scoreRows,
    '',
    `| page (median) | ${METRICS.map(([, label]) => label).join(' | ')} |`,
    `|---|${METRICS.map(() => '---').join('|')}|`,
    ...metricRows,
    END,
  ].join('\n');
  console.log(`\n${section}`);
  if (values['no-write']) return;
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  writeFileSync(DOC, start !== -1 && end !== -1 ? doc.slice(0, start) + section + doc.slice(end + END.length) : `${doc.trimEnd()}\n\n## Lighthouse\n\n${section}\n`);
  console.log(`written: ${DOC}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
