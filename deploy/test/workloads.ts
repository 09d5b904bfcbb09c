// Reading rendered objects: workloads and their pod templates, label selectors, containers.
import { at, type K8sObject } from './render';

export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  [probe: string]: unknown;
}

export interface PodTemplate {
  workload: K8sObject;
  labels: Record<string, string>;
  spec: Record<string, unknown> & { containers: Container[] };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job']);

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((workload) => ({
      workload,
      labels: at<Record<string, string>>(workload, 'spec', 'template', 'metadata', 'labels') ?? {},
      spec: at<PodTemplate['spec']>(workload, 'spec', 'template', 'spec')!,
    }));
}

/** Does a Kubernetes label selector (map form or LabelSelector) select these labels? */
export function selects(selector: LabelSelector | Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const full: LabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector ? (selector as LabelSelector) : { matchLabels: selector as Record<string, string> };
  const keyed = Object.entries(full.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (full.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === 'In') return value !== undefined && (e.values ?? []).includes(value);
    if (e.operator === 'NotIn') return value === undefined || !(e.values ?? []).includes(value);
    if (e.operator === 'Exists') return value !== undefined;
    return value === undefined;
  });
  return keyed && expressions;
}

export function named(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}
