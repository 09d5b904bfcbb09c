import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';

interface RuleGroup {
  name: string;
  rules: unknown[];
  [key: string]: unknown;
}

/** Rule files (`*.yml`, `*.yaml`) under a directory, at any depth, in a stable order. */
function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

/**
 * The rule groups of every Prometheus rule file under `rulesDir`, in file order. promtool unit-test
 * files (top-level `tests`) are skipped; any other YAML file without `groups` is an error, and so
 * is a group name used twice (Prometheus refuses that within one rule set).
 */
export function collectRuleGroups(rulesDir: string): { groups: RuleGroup[]; files: string[] } {
  const groups: RuleGroup[] = [];
  const files: string[] = [];
  const seen = new Map<string, string>();
  for (const file of yamlFilesUnder(rulesDir)) {
    const name = relative(rulesDir, file);
    const doc = (parse(readFileSync(file, 'utf8')) ?? {}) as { groups?: unknown; tests?: unknown };
    if (doc.tests !== undefined) continue;
    if (!Array.isArray(doc.groups)) throw new Error(`${name}: not a Prometheus rule file (no "groups" list)`);
    for (const group of doc.groups as RuleGroup[]) {
      const first = seen.get(group.name);
      if (first) throw new Error(`rule group "${group.name}" is defined in both ${first} and ${name}`);
      seen.set(group.name, name);
      groups.push(group);
    }
    files.push(name);
  }
  return { groups, files };
}

/** The PrometheusRule manifest (YAML text) that carries every rule group under `rulesDir`. */
export function renderPrometheusRule(rulesDir: string): string {
  const { groups, files } = collectRuleGroups(rulesDir);
  const source = files.length > 0 ? files.map((f) => `docker/prometheus/rules/${f}`).join(', ') : 'no rule files yet';
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'pizza-express-alerts' },
    spec: { groups },
  };
  return [
    '# GENERATED from the compose stack\'s Prometheus rules — do not edit; change the rule files and run',
    '#   pnpm --filter @pizza/deploy k8s:rules',
    `# Source: ${source}`,
    stringify(manifest, { lineWidth: 0 }),
  ].join('\n');
}
