import type { TopologyKind } from './topology';
import { median, round } from './stats';

/** A target: the metric's median (`on: 'value'`) or its ratio to the baseline (`on: 'ratio'`). */
export interface Target {
  on: 'value' | 'ratio';
  op: '>=' | '<=';
  value: number;
}

export interface Metric {
  key: string;
  label: string;
  unit: string;
  /** One value per run (round). */
  runs: number[];
  median: number | null;
  baseline?: { label: string; runs: number[]; median: number | null; unit?: string };
  /** median / baseline median */
  ratio?: number | null;
  target?: Target;
  /** null when there is no target or nothing was measured */
  met: boolean | null;
  note?: string;
}

export interface Check {
  label: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  topology: TopologyKind | 'static';
  metrics: Metric[];
  checks: Check[];
  notes: string[];
  /** Set when the scenario could not run to the end (the harness reports it and goes on). */
  error?: string;
  seconds: number;
}

export interface MetricInput {
  key: string;
  label: string;
  unit: string;
  runs: number[];
  /** `unit` when the baseline measures something else (e.g. GET req/s for orders/s). */
  baseline?: { label: string; runs: number[]; unit?: string };
  target?: Target;
  note?: string;
  digits?: number;
}

export function metric(input: MetricInput): Metric {
  const digits = input.digits ?? 2;
  const runs = input.runs.map((v) => round(v, digits));
  const med = median(runs);
  const baseline = input.baseline && { ...input.baseline, runs: input.baseline.runs.map((v) => round(v, digits)), median: median(input.baseline.runs) };
  if (baseline && baseline.median !== null) baseline.median = round(baseline.median, digits);
  const ratio = baseline && med !== null && baseline.median ? round(med / baseline.median, 3) : baseline ? null : undefined;
  const measured = input.target?.on === 'ratio' ? ratio : med;
  const met = !input.target || measured === null || measured === undefined ? null : input.target.op === '>=' ? measured >= input.target.value : measured <= input.target.value;
  return {
    key: input.key,
    label: input.label,
    unit: input.unit,
    runs,
    median: med === null ? null : round(med, digits),
    ...(baseline ? { baseline } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    ...(input.target ? { target: input.target } : {}),
    met,
    ...(input.note ? { note: input.note } : {}),
  };
}

export function describeTarget(m: Metric): string {
  if (!m.target) return '';
  const { on, op, value } = m.target;
  return on === 'ratio' ? `ratio ${op} ${value}` : `${op} ${value} ${m.unit}`;
}
