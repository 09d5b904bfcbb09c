// Reads the provisioned Grafana dashboards: their queries and the metric names they use.
// Exported for other tests too (e.g. one that checks the names against a live /metrics).
import { readdirSync } from 'node:fs';
import { docker, readJson, readText, REPO_ROOT } from './lib';
import { join } from 'node:path';

export const DASHBOARD_DIR = docker('grafana', 'dashboards');
export const DASHBOARD_FILES = ['http.json', 'event-pipeline.json', 'logs.json'] as const;

export interface DatasourceRef {
  type?: string;
  uid?: string;
}
export interface Target {
  refId: string;
  expr?: string;
  datasource?: DatasourceRef;
}
export interface Panel {
  id?: number;
  type: string;
  title: string;
  datasource?: DatasourceRef;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; datasource?: DatasourceRef; query?: unknown }[] };
}

export function loadDashboards(): Record<string, Dashboard> {
  return Object.fromEntries(
    readdirSync(DASHBOARD_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => [f, readJson<Dashboard>(join(DASHBOARD_DIR, f))]),
  );
}

export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface Query {
  dashboard: string;
  panel: string;
  datasource: DatasourceRef | undefined;
  expr: string;
}

export function dashboardQueries(dashboards = loadDashboards()): Query[] {
  return Object.entries(dashboards).flatMap(([file, d]) =>
    allPanels(d).flatMap((p) =>
      (p.targets ?? [])
        .filter((t) => typeof t.expr === 'string')
        .map((t) => ({
          dashboard: file,
          panel: p.title,
          datasource: t.datasource ?? p.datasource,
          expr: t.expr!,
        })),
    ),
  );
}

/** Grafana's variables replaced by values Prometheus accepts, to check the PromQL as such. */
export function withGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replaceAll('$__auto', '1m')
    .replace(/\$(\w+)/g, '.*');
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** Metric names in a PromQL expression (not functions, keywords, label names or values). */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names = new Set<string>();
  for (const m of stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?/g)) {
    const [, word, call] = m;
    if (call || PROMQL_WORDS.has(word!.toLowerCase()) || /^\d/.test(word!)) continue;
    // 1e-9 → "e" is not a metric
    if (/^e\d*$/.test(word!)) continue;
    names.add(word!);
  }
  return [...names];
}

/** Every metric name each Prometheus-backed dashboard uses, sorted. */
export function dashboardMetricNames(dashboards = loadDashboards()): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const q of dashboardQueries(dashboards)) {
    if (q.datasource?.type !== 'prometheus') continue;
    for (const name of promqlMetricNames(q.expr)) (out[q.dashboard] ??= new Set()).add(name);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** Series Prometheus itself makes (per target, or ALERTS from the rules), on no /metrics page. */
export const PROMETHEUS_SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS']);

/**
 * The series names the services expose according to packages/infra/src/metrics.ts: counters and
 * gauges by name, histograms with their _bucket/_sum/_count series.
 */
export function declaredMetricSeries(): Set<string> {
  const source = readText(join(REPO_ROOT, 'packages', 'infra', 'src', 'metrics.ts'));
  const series = new Set<string>();
  for (const m of source.matchAll(
    /new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([a-z_:][a-z0-9_:]*)'/g,
  )) {
    const [, kind, name] = m;
    if (kind === 'Histogram' || kind === 'Summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) series.add(`${name}${suffix}`);
    } else {
      series.add(name!);
    }
  }
  return series;
}

/** The series names live /metrics pages expose (# TYPE lines; histograms with their series). */
export function exposedMetricSeries(pages: string[]): Set<string> {
  const exposed = new Set<string>();
  for (const page of pages) {
    for (const m of page.matchAll(/^# TYPE (\S+) (\S+)/gm)) {
      exposed.add(m[1]!);
      if (m[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exposed.add(`${m[1]}${suffix}`);
      if (m[2] === 'counter' && !m[1]!.endsWith('_total')) exposed.add(`${m[1]}_total`);
    }
  }
  return exposed;
}

/** The metric names the dashboards query (Prometheus's own series excepted), and those not on the pages. */
export function dashboardMetricsOn(pages: string[]): { used: string[]; missing: string[] } {
  const exposed = exposedMetricSeries(pages);
  const used = [...new Set(Object.values(dashboardMetricNames()).flat())].filter((name) => !PROMETHEUS_SYNTHETIC.has(name));
  return { used, missing: used.filter((name) => !exposed.has(name)) };
}
