import type { BenchOptions } from './options';
import type { Check, Metric, ScenarioResult } from './results';
import type { TopologyKind } from './topology';

export interface ScenarioContext {
  options: BenchOptions;
  log(message: string): void;
}

/** What a scenario fills in; `runScenario` adds timing and turns a crash into a reported error. */
export interface ScenarioOutcome {
  metrics: Metric[];
  checks?: Check[];
  notes?: string[];
}

export interface ScenarioSpec {
  id: string;
  title: string;
  topology: TopologyKind | 'static';
  run(): Promise<ScenarioOutcome>;
}

export async function runScenario(spec: ScenarioSpec, ctx: ScenarioContext): Promise<ScenarioResult> {
  const started = performance.now();
  ctx.log(`▶ ${spec.title} [${spec.topology}]`);
  const base = { id: spec.id, title: spec.title, topology: spec.topology };
  try {
    const outcome = await spec.run();
    return { ...base, metrics: outcome.metrics, checks: outcome.checks ?? [], notes: outcome.notes ?? [], seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    ctx.log(`✗ ${spec.title} [${spec.topology}] failed: ${message}`);
    return { ...base, metrics: [], checks: [], notes: [], error: message.slice(0, 4000), seconds: (performance.now() - started) / 1000 };
  }
}

/** Runs `a` then `b` on even rounds and `b` then `a` on odd ones, so that drift hits both alike. */
export async function alternate(round: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
  if (round % 2 === 0) {
    await a();
    await b();
  } else {
    await b();
    await a();
  }
}
