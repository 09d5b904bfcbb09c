// Renders a kustomize overlay with the kubectl on this machine (no cluster needed).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { K8S_DIR } from '../src/paths';

/** The fields every Kubernetes object has; the rest is read with `at()`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** `kubectl kustomize deploy/k8s/overlays/<name>` parsed into objects. A missing kubectl fails loudly. */
export function renderOverlay(overlay: Overlay): K8sObject[] {
  const kubectl = process.env.KUBECTL_BIN ?? 'kubectl';
  const result = spawnSync(kubectl, ['kustomize', join(K8S_DIR, 'overlays', overlay)], { encoding: 'utf8', timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      `kubectl is not installed (looked for "${kubectl}" on the PATH): these tests render the kustomize overlays with ` +
        '`kubectl kustomize`. Install kubectl 1.27 or newer, or set KUBECTL_BIN to its path.',
    );
  }
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize overlays/${overlay} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** A nested field by path (`at(o, 'spec', 'template', 'spec')`), or undefined. */
export function at<T = unknown>(value: unknown, ...path: (string | number)[]): T | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current as T | undefined;
}
