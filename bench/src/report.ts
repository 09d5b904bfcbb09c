import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine';
import type { BenchOptions } from './options';
import { describeTarget, type Metric, type ScenarioResult } from './results';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  command: string;
  options: BenchOptions;
  machine: MachineInfo;
  scenarios: ScenarioResult[];
}

export function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

const verdict = (m: Metric) => (m.met === null ? '' : m.met ? 'met' : 'MISSED');

interface Row {
  scenario: string;
  metric: string;
  system: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

function rows(report: BenchReport): Row[] {
  const out: Row[] = [];
  for (const s of report.scenarios) {
    const scenario = `${s.id} [${s.topology}]`;
    if (s.error) {
      out.push({ scenario, metric: 'ERROR (see below)', system: '', baseline: '', ratio: '', target: '', met: '' });
      continue;
    }
    for (const m of s.metrics) {
      out.push({
        scenario,
        metric: m.label,
        system: fmt(m.median, m.unit),
        baseline: m.baseline ? fmt(m.baseline.median, m.baseline.unit ?? m.unit) : '',
        ratio: m.ratio === undefined ? '' : fmt(m.ratio),
        target: describeTarget(m),
        met: verdict(m),
      });
    }
    for (const c of s.checks.filter((c) => !c.ok)) out.push({ scenario, metric: `CHECK FAILED: ${c.label}`, system: c.detail, baseline: '', ratio: '', target: '', met: '' });
  }
  return out;
}

const HEADERS: Row = { scenario: 'scenario', metric: 'metric', system: 'system (median)', baseline: 'baseline (median)', ratio: 'ratio', target: 'target', met: 'met' };
const COLUMNS = Object.keys(HEADERS) as (keyof Row)[];

export function textTable(report: BenchReport): string {
  const all = [HEADERS, ...rows(report)];
  const width = (c: keyof Row) => Math.max(...all.map((r) => r[c].length));
  const line = (r: Row) => COLUMNS.map((c) => r[c].padEnd(width(c))).join('  ').trimEnd();
  const rule = COLUMNS.map((c) => '-'.repeat(width(c))).join('  ');
  return [line(HEADERS), rule, ...all.slice(1).map(line)].join('\n');
}

function machineLine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGb} GB RAM, Node ${m.node}, ${m.os}; load average at start ${m.loadAverage}`;
}

export function markdown(report: BenchReport): string {
  const md: string[] = [];
  md.push('# Benchmark results', '');
  md.push(`\`${report.command}\` — ${report.startedAt} → ${report.finishedAt}`, '');
  md.push(`Machine: ${machineLine(report.machine)}.`, '');
  md.push('Medians over the rounds; each round runs the baseline and the system back to back (alternating which goes first). Ratio = system median / baseline median. Targets are goals, not pass/fail: the bench never fails on timing.', '');
  md.push(`| ${COLUMNS.map((c) => HEADERS[c]).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`);
  for (const r of rows(report)) md.push(`| ${COLUMNS.map((c) => r[c].replace(/\|/g, '\\|')).join(' | ')} |`);
  md.push('');
  for (const s of report.scenarios) {
    md.push(`## ${s.title} [${s.topology}] (${Math.round(s.seconds)} s)`, '');
    if (s.error) md.push('```', s.error, '```', '');
    for (const m of s.metrics) {
      const base = m.baseline ? `; baseline (${m.baseline.label}): ${m.baseline.runs.map((v) => fmt(v)).join(', ')}` : '';
      md.push(`- ${m.label}: runs ${m.runs.map((v) => fmt(v)).join(', ')} ${m.unit}${base}${m.note ? ` (${m.note})` : ''}`);
    }
    for (const c of s.checks) md.push(`- ${c.ok ? '✓' : '✗'} ${c.label}: ${c.detail}`);
    for (const n of s.notes) md.push(`- ${n}`);
    md.push('');
  }
  return md.join('\n');
}

export function writeReport(dir: string, report: BenchReport): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, `${markdown(report)}\n`);
  return { json, md };
}
