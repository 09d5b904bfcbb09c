import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpStatus, isAlive, rssBytes, sleep, startChild } from '../children';
import { BASELINE, BENCH_DIR, BUILT, REPO_DIR } from '../paths';
import { metric } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { childEnv } from '../topology';

const IDLE_MS = 3000;

interface StartRun {
  readyMs: number;
  idleRssMb: number;
}

/** Spawns `node <script>` and times spawn → first 200 on /api/v1/health; then reads the idle RSS. */
async function timeStart(name: string, script: string, cwd: string, env: Record<string, string>): Promise<StartRun> {
  const port = await freePort();
  const started = performance.now();
  // plain `node`, no shell in between: what is timed is the process itself
  const child = startChild(name, process.execPath, [script], { env: childEnv({ ...env, PORT: String(port) }), cwd });
  try {
    const url = `http://127.0.0.1:${port}/api/v1/health`;
    for (;;) {
      if (!isAlive(child)) throw new Error(`${name} exited before it answered:\n${child.output()}`);
      if ((await httpStatus(url, 500)) === 200) break;
      if (performance.now() - started > 30_000) throw new Error(`${name} did not answer 200 within 30 s:\n${child.output()}`);
      await sleep(5);
    }
    const readyMs = performance.now() - started;
    await sleep(IDLE_MS);
    return { readyMs, idleRssMb: rssBytes(child.pid) / 2 ** 20 };
  } finally {
    await child.stop();
  }
}

/** Scenario 5: the all-in-one process from spawn to its first 200 on /api/v1/health, and its idle RSS. */
export function startupScenario(ctx: ScenarioContext): ScenarioSpec {
  const { options } = ctx;
  return {
    id: 'startup',
    title: 'Start-up of the all-in-one process',
    topology: 'embedded',
    async run() {
      const system: StartRun[] = [];
      const bare: StartRun[] = [];
      for (let round = 0; round < options.rounds; round += 1) {
        const dir = mkdtempSync(join(tmpdir(), 'pizza-bench-'));
        try {
          await alternate(
            round,
            async () => void system.push(await timeStart('all-in-one', BUILT.allInOne, join(REPO_DIR, 'apps/server'), { DATABASE_URL: `sqlite:${join(dir, 'pizza.db')}` })),
            async () => void bare.push(await timeStart('baseline-http', BASELINE.http, BENCH_DIR, {})),
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        ctx.log(`  round ${round + 1}: ready in ${Math.round(system.at(-1)!.readyMs)} ms (bare ${Math.round(bare.at(-1)!.readyMs)} ms), idle RSS ${system.at(-1)!.idleRssMb.toFixed(1)} MB`);
      }
      return {
        metrics: [
          metric({ key: 'startup.readyMs', label: 'spawn → first 200 on /api/v1/health', unit: 'ms', runs: system.map((r) => r.readyMs), baseline: { label: 'bare node:http', runs: bare.map((r) => r.readyMs) }, target: { on: 'value', op: '<=', value: 2000 }, digits: 0 }),
          metric({ key: 'startup.idleRssMb', label: `idle RSS (${IDLE_MS / 1000} s after ready)`, unit: 'MB', runs: system.map((r) => r.idleRssMb), baseline: { label: 'bare node:http', runs: bare.map((r) => r.idleRssMb) }, target: { on: 'value', op: '<=', value: 150 }, digits: 1 }),
        ],
        notes: ['a fresh SQLite file each time (schema + seed included); MB = 2^20 bytes'],
      };
    },
  };
}
