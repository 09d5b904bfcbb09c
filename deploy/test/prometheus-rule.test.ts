// The PrometheusRule of components/monitoring is generated from docker/prometheus/rules (the
// compose stack's rule files): it must be up to date, valid for the Prometheus Operator, and
// loadable by Prometheus itself (promtool).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PROMETHEUS_RULE_FILE, RULES_DIR } from '../src/paths';
import { collectRuleGroups, renderPrometheusRule } from '../src/prometheus-rule';
import type { K8sObject } from './render';
import { schemaProblems } from './schemas';

const scratch = mkdtempSync(join(tmpdir(), 'pizza-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `promtool check rules` on the groups of a PrometheusRule; a missing promtool fails the test. */
function promtoolCheck(rule: K8sObject): { status: number | null; output: string } {
  const file = join(scratch, `check-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, stringify({ groups: (rule.spec as { groups: unknown[] }).groups }));
  const result = spawnSync(process.env.PROMTOOL_BIN ?? 'promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool is not installed: apt-get install -y prometheus (Debian ships promtool in it), or set PROMTOOL_BIN');
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function writeRuleFile(dir: string, name: string, content: unknown) {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, stringify(content));
}

const alert = (name: string, expr: string) => ({ alert: name, expr, for: '5m', labels: { severity: 'warning' }, annotations: { summary: name } });

describe('PrometheusRule pizza-express-alerts', () => {
  it('is up to date with docker/prometheus/rules (regenerate: pnpm --filter @pizza/deploy k8s:rules)', () => {
    expect(readFileSync(PROMETHEUS_RULE_FILE, 'utf8'), 'run `pnpm --filter @pizza/deploy k8s:rules` and commit the result').toBe(renderPrometheusRule(RULES_DIR));
  });

  it('as committed, passes the Prometheus Operator schema and every group loads in promtool', () => {
    const rule = parse(readFileSync(PROMETHEUS_RULE_FILE, 'utf8')) as K8sObject;
    expect(schemaProblems(rule)).toEqual([]);
    expect((rule.spec as { groups: unknown[] }).groups).toHaveLength(collectRuleGroups(RULES_DIR).groups.length);
    const check = promtoolCheck(rule);
    expect(check.status, check.output).toBe(0);
  });

  it('is built from every rule file at any depth, in path order, skipping promtool unit-test files', () => {
    const dir = join(scratch, 'rules');
    writeRuleFile(dir, 'pipeline.yml', { groups: [{ name: 'pipeline', rules: [alert('ConsumerLagHigh', 'max(stream_consumer_lag) > 1000')] }] });
    writeRuleFile(dir, 'http/edge.yaml', { groups: [{ name: 'http', interval: '30s', rules: [alert('Http5xx', 'sum(rate(http_requests_total{status_code=~"5.."}[5m])) > 1')] }] });
    writeRuleFile(dir, 'pipeline.test.yml', { rule_files: ['pipeline.yml'], tests: [] });
    writeFileSync(join(dir, 'README.md'), 'not YAML, not read');

    const rule = parse(renderPrometheusRule(dir)) as K8sObject;
    expect(rule.kind).toBe('PrometheusRule');
    expect((rule.spec as { groups: { name: string; interval?: string }[] }).groups).toEqual([
      expect.objectContaining({ name: 'http', interval: '30s' }),
      expect.objectContaining({ name: 'pipeline' }),
    ]);
    expect(schemaProblems(rule)).toEqual([]);
    expect(promtoolCheck(rule).status).toBe(0);
  });

  it('refuses a group name defined in two files, and a YAML file that holds no rule groups', () => {
    const twice = join(scratch, 'twice');
    writeRuleFile(twice, 'a.yml', { groups: [{ name: 'pipeline', rules: [] }] });
    writeRuleFile(twice, 'b.yml', { groups: [{ name: 'pipeline', rules: [] }] });
    expect(() => renderPrometheusRule(twice)).toThrow('rule group "pipeline" is defined in both a.yml and b.yml');

    const stray = join(scratch, 'stray');
    writeRuleFile(stray, 'prometheus.yml', { scrape_configs: [] });
    expect(() => renderPrometheusRule(stray)).toThrow('prometheus.yml: not a Prometheus rule file');
  });

  it('has no groups when there are no rule files yet', () => {
    const rule = parse(renderPrometheusRule(join(scratch, 'missing'))) as K8sObject;
    expect(rule.spec).toEqual({ groups: [] });
  });
});
