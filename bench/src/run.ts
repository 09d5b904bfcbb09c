// `pnpm bench`: measures the built system against this machine's own limits. It needs the output
// of `pnpm build` (apps/server/dist, apps/web/dist; with --distributed also packages/api/dist and
// packages/workers/dist) and runs the build through turbo when it is missing. Benchmarks are a
// tool, not a test: timing never fails the run; only a broken harness exits non-zero.
import { spawn, spawnSync } from 'node:child_process';
import { stopAllChildren } from './children';
import { describeMachine, openFilesLimit } from './machine';
import { parseOptions, UsageError, type BenchOptions } from './options';
import { missingBuilds, REPO_DIR, RESULTS_DIR } from './paths';
import { textTable, writeReport, type BenchReport } from './report';
import type { ScenarioResult } from './results';
import { runScenario, type ScenarioContext, type ScenarioSpec } from './scenario';
import { menuScenario } from './scenarios/menu';
import { ordersScenario } from './scenarios/orders';
import { pipelineScenario } from './scenarios/pipeline';
import { pipelineFeedScenario } from './scenarios/pipeline-feed';
import { pushLatencyScenario } from './scenarios/push-latency';
import { socketCapacityScenario } from './scenarios/socket-capacity';
import { sseCapacityScenario } from './scenarios/sse-capacity';
import { soakScenario } from './scenarios/soak';
import { startupScenario } from './scenarios/startup';
import { tracingCostScenario } from './scenarios/tracing-cost';
import { webSizeScenario } from './scenarios/web-size';
import type { TopologyKind } from './topology';

const FD_RAISED = 'PIZZA_BENCH_FD_RAISED';

/** The client side of the socket and SSE scenarios holds every connection in this process: raise its fd limit first. */
function reExecWithMoreFiles(options: BenchOptions): boolean {
  const limit = openFilesLimit();
  const needed = Math.max(options.only.includes('sockets') ? options.sockets : 0, options.only.includes('sse') ? options.sseClients : 0) + 2048;
  if (needed === 2048 || process.env[FD_RAISED] || limit === null || limit >= needed) return false;
  console.log(`open-files limit ${limit} < ${needed}: re-running under \`ulimit -n 65536\``);
  const child = spawn('bash', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [FD_RAISED]: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return true;
}

function ensureBuilt(options: BenchOptions): void {
  const missing = missingBuilds(needsDistributed(options));
  if (missing.length === 0) return;
  console.log(`The bench runs the built system, and these are missing:\n  ${missing.join('\n  ')}\nRunning \`pnpm -w build\` (turbo) first…`);
  const result = spawnSync('pnpm', ['-w', 'build'], { cwd: REPO_DIR, stdio: 'inherit' });
  const still = missingBuilds(needsDistributed(options));
  if (result.status !== 0 || still.length > 0) {
    throw new HarnessError(`\`pnpm build\` did not produce ${still.join(', ') || 'a clean build'}; run \`pnpm build\` and fix it, then \`pnpm bench\` again.`);
  }
}

/** The pipeline scenario runs the distributed topology even without --distributed. */
const needsDistributed = (options: BenchOptions) => options.distributed || options.only.includes('pipeline');

class HarnessError extends Error {
  override name = 'HarnessError';
}

function plan(ctx: ScenarioContext): ScenarioSpec[] {
  const { options } = ctx;
  const kinds: TopologyKind[] = options.distributed ? ['embedded', 'distributed'] : ['embedded'];
  const specs: ScenarioSpec[] = [];
  const wanted = (id: string) => options.only.includes(id as BenchOptions['only'][number]);
  for (const kind of kinds) {
    if (wanted('menu')) specs.push(menuScenario(ctx, kind));
    if (wanted('orders')) specs.push(ordersScenario(ctx, kind));
    if (wanted('tracing')) specs.push(tracingCostScenario(ctx, kind));
    if (wanted('push')) specs.push(pushLatencyScenario(ctx, kind));
    if (wanted('sockets')) specs.push(socketCapacityScenario(ctx, kind));
    if (wanted('sse')) specs.push(sseCapacityScenario(ctx, kind));
    if (wanted('soak')) specs.push(soakScenario(ctx, kind));
    if (wanted('feed')) specs.push(pipelineFeedScenario(ctx, kind));
  }
  // distributed by definition (it measures the services over Redis Streams), with or without --distributed
  if (wanted('pipeline')) specs.push(pipelineScenario(ctx));
  if (wanted('startup')) specs.push(startupScenario(ctx));
  if (wanted('web')) specs.push(webSizeScenario());
  return specs;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return 0;
  if (reExecWithMoreFiles(options)) return -1;
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  ensureBuilt(options);

  const ctx: ScenarioContext = { options, log: (message) => console.log(message) };
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  console.log(`Pizza Express bench — ${machine.cores} cores (${machine.cpuModel}), ${machine.totalMemoryGb} GB, Node ${machine.node}, load ${machine.loadAverage}`);
  console.log(`options: ${JSON.stringify(options)}\n`);

  const scenarios: ScenarioResult[] = [];
  for (const spec of plan(ctx)) {
    scenarios.push(await runScenario(spec, ctx));
    await stopAllChildren(); // nothing of one scenario may load the next
  }

  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: ['pnpm bench', ...process.argv.slice(2).filter((a) => a !== '--')].join(' '),
    options,
    machine,
    scenarios,
  };
  console.log(`\n${textTable(report)}\n`);
  const written = writeReport(RESULTS_DIR, report);
  console.log(`written: ${written.json}\n         ${written.md}`);
  const failed = scenarios.filter((s) => s.error);
  if (failed.length > 0) console.log(`\n${failed.length} scenario(s) could not run to the end: ${failed.map((s) => `${s.id} [${s.topology}]`).join(', ')}`);
  // timing never fails the bench; a scenario the harness could not run does
  return failed.length > 0 ? 1 : 0;
}

function shutdown(signal: NodeJS.Signals): void {
  console.error(`\n${signal}: stopping every process the bench started…`);
  void stopAllChildren().finally(() => process.exit(130));
}

main().then(
  async (code) => {
    if (code < 0) return; // re-executed: the child's exit code is ours
    await stopAllChildren();
    process.exit(code);
  },
  async (error: unknown) => {
    await stopAllChildren();
    console.error(error instanceof UsageError || error instanceof HarnessError ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
