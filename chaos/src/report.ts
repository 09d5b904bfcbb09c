import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultLabel, type FaultRecord } from './faults';
import type { InvariantResult } from './invariants';
import type { ChaosOptions } from './options';

export interface ChaosReport {
  command: string;
  options: ChaosOptions;
  startedAt: string;
  ranForS: number;
  machine: string;
  topology: string;
  limits: string[];
  orders: { offered: number; accepted: number; rejected: number; delivered: number; unknown: number };
  trackers: { ws: number; trpc: number; reconnects: number };
  faults: FaultRecord[];
  faultsByKind: Record<string, number>;
  recoveryMsByKind: Record<string, { max: number; median: number }>;
  timeToDeliveredMs: { duringFaults: Percentiles; withoutFaults: Percentiles };
  timeToQuietMs: number | null;
  invariants: InvariantResult[];
  passed: boolean;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p99: number | null;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : null);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99) };
}

/** A run passes when the system became quiet and no invariant was broken. */
export const runPassed = (invariants: InvariantResult[], timeToQuietMs: number | null) => timeToQuietMs !== null && invariants.every((i) => i.violations === 0);

/** What a failed run prints after its summary: each broken invariant with its examples (the offending orders' histories). */
export function violationLines(invariants: InvariantResult[]): string[] {
  return invariants.filter((i) => i.violations > 0).flatMap((i) => [`VIOLATION: ${i.name} (${i.violations} of ${i.checked})`, ...i.examples.map((e) => `  ${e}`)]);
}

const s = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

export function markdown(r: ChaosReport): string {
  const lines = [
    `## Chaos run ${r.passed ? 'PASSED' : 'FAILED'} — seed ${r.options.seed}, ${r.ranForS} s`,
    '',
    `\`${r.command}\` · started ${r.startedAt} · ${r.machine}`,
    '',
    `Topology: ${r.topology}`,
    '',
    `| orders offered | accepted | rejected (4xx) | delivered | no answer |`,
    `|---|---|---|---|---|`,
    `| ${r.orders.offered} | ${r.orders.accepted} | ${r.orders.rejected} | ${r.orders.delivered} | ${r.orders.unknown} |`,
    '',
    `Tracking clients: ${r.trackers.ws} plain sockets, ${r.trackers.trpc} tRPC subscriptions, ${r.trackers.reconnects} reconnects.`,
    '',
    `Time to \`delivered\`: during faults p50 ${s(r.timeToDeliveredMs.duringFaults.p50)}, p99 ${s(r.timeToDeliveredMs.duringFaults.p99)} (${r.timeToDeliveredMs.duringFaults.count} orders); without faults p50 ${s(r.timeToDeliveredMs.withoutFaults.p50)}, p99 ${s(r.timeToDeliveredMs.withoutFaults.p99)} (${r.timeToDeliveredMs.withoutFaults.count} orders). Time to quiet after the last fault: ${s(r.timeToQuietMs)}.`,
    '',
    '| fault | count | recovery median | recovery max |',
    '|---|---|---|---|',
    ...Object.entries(r.faultsByKind).map(([kind, n]) => {
      const rec = r.recoveryMsByKind[kind];
      return `| ${kind} | ${n} | ${rec ? s(rec.median) : '–'} | ${rec ? s(rec.max) : '–'} |`;
    }),
    '',
    '| invariant | checked | violations |',
    '|---|---|---|',
    ...r.invariants.map((i) => `| ${i.name} | ${i.checked} | ${i.violations} |`),
    '',
  ];
  if (r.limits.length) lines.push('Not run here:', ...r.limits.map((l) => `- ${l}`), '');
  lines.push('Faults, in order (start time, target, hold, recovery):', '', ...r.faults.map((f) => `- ${f.startedAt} ${faultLabel(f)} → ${f.target}${f.detail ? `, ${f.detail}` : ''}, held ${f.holdS} s${f.redriven ? `, ${f.redriven} dead letters it caused redriven` : ''}${f.skipped ? ` — SKIPPED: ${f.skipped}` : f.recoveryMs === undefined ? ' — not ready again within 60 s' : `, ready again after ${s(f.recoveryMs)}`}`), '');
  return lines.join('\n');
}

export function writeReport(dir: string, name: string, report: ChaosReport): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, markdown(report));
  return [json, md];
}
