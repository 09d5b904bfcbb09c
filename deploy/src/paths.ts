import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEPLOY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(DEPLOY_DIR, '..');
export const K8S_DIR = resolve(DEPLOY_DIR, 'k8s');

/** The Prometheus rule files of the compose stack: the one source of the alert rules. */
export const RULES_DIR = resolve(REPO_ROOT, 'docker/prometheus/rules');
/** The PrometheusRule built from them (committed; `pnpm --filter @pizza/deploy k8s:rules`). */
export const PROMETHEUS_RULE_FILE = resolve(K8S_DIR, 'components/monitoring/prometheus-rule.yaml');
