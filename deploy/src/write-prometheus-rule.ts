// `pnpm --filter @pizza/deploy k8s:rules`: writes the PrometheusRule from docker/prometheus/rules.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { PROMETHEUS_RULE_FILE, REPO_ROOT, RULES_DIR } from './paths';
import { collectRuleGroups, renderPrometheusRule } from './prometheus-rule';

writeFileSync(PROMETHEUS_RULE_FILE, renderPrometheusRule(RULES_DIR));
const { groups, files } = collectRuleGroups(RULES_DIR);
console.log(`${relative(REPO_ROOT, PROMETHEUS_RULE_FILE)}: ${groups.length} rule group(s) from ${files.length} file(s)`);
