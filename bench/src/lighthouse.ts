// `pnpm lighthouse`: Lighthouse (mobile profile) on the menu and tracking pages of the built app,
// served by the all-in-one process; the scores go into docs/performance.md. Never fails on scores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAllChildren } from './children';
import { describeMachine } from './machine';
import { createOrder } from './orders-api';
import { REPO_DIR, missingBuilds } from './paths';
import { startTopology } from './topology';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const DOC = join(REPO_DIR, 'docs/performance.md');
const START = '<!-- lighthouse:start -->';
const END = '<!-- lighthouse:end -->';
const HOUR_MS = '3600000';

type Scores = Record<(typeof CATEGORIES)[number], number | null>;

function audit(url: string, outDir: string, name: string): Scores {
  const out = join(outDir, `${name}.json`);
  const result = spawnSync(
    join(REPO_DIR, 'bench/node_modules/.bin/lighthouse'),
    [url, '--quiet', '--output=json', `--output-path=${out}`, `--only-categories=${CATEGORIES.join(',')}`, '--chrome-flags=--headless=new --no-sandbox --disable-gpu'],
    { env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 },
  );
  if (result.status !== 0) throw new Error(`lighthouse on ${url} exited with ${result.status ?? result.signal}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { categories: Record<string, { score: number | null }> };
  return Object.fromEntries(CATEGORIES.map((c) => [c, report.categories[c]?.score == null ? null : Math.round(report.categories[c]!.score! * 100)])) as Scores;
}

async function main(): Promise<void> {
  const missing = missingBuilds(false);
  if (missing.length > 0) throw new Error(`build first (\`pnpm build\`): missing ${missing.join(', ')}`);
  const outDir = mkdtempSync(join(tmpdir(), 'pizza-lighthouse-'));
  // the tracking page of an order that stays put while it is audited
  const topology = await startTopology('embedded', { SIM_CONFIRM_DELAY_MS: '1000', SIM_PREPARE_DELAY_MS: HOUR_MS, SIM_PICKUP_DELAY_MS: HOUR_MS, SIM_TRANSIT_DELAY_MS: HOUR_MS });
  const pages: [string, string][] = [];
  const rows: string[] = [];
  try {
    const order = await createOrder(topology.apiUrl, 'margherita', true);
    pages.push(['menu', '/'], ['tracking', `/orders/${order.id}`]);
    for (const [name, path] of pages) {
      const scores = audit(`${topology.apiUrl}${path}`, outDir, name);
      console.log(`${name}: ${JSON.stringify(scores)}`);
      rows.push(`| ${name} (\`${name === 'tracking' ? '/orders/{id}' : path}\`) | ${CATEGORIES.map((c) => scores[c] ?? '–').join(' | ')} |`);
    }
  } finally {
    await topology.stop();
    await stopAllChildren();
    rmSync(outDir, { recursive: true, force: true });
  }
  const machine = describeMachine();
  const section = [
    START,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`pnpm lighthouse\` (lighthouse 12.2.3, mobile profile with simulated throttling, Chromium headless) against the built app served by the all-in-one process; ${machine.cores} cores, load ${machine.loadAverage} (a shared machine: performance varies from run to run).`,
    '',
    '| page | performance | accessibility | best practices | SEO |',
    '|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n');
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
