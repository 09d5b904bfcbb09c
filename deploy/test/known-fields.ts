// The schema validators of kubernetes-models accept fields they do not know (as JSON Schema does),
// while the API server rejects them (strict field validation, kubectl's default). This check
// types every rendered object with the same packages' TypeScript interfaces: an object literal
// checked with `satisfies` may only name known fields, at any depth.
import { join } from 'node:path';
import ts from 'typescript';
import { DEPLOY_DIR } from '../src/paths';
import type { K8sObject } from './render';

/** The interface of each kind, by `apiVersion/kind`, and the module that exports it. */
const INTERFACES: Record<string, [module: string, name: string]> = {
  'v1/Namespace': ['kubernetes-models/v1', 'INamespace'],
  'v1/ServiceAccount': ['kubernetes-models/v1', 'IServiceAccount'],
  'v1/ConfigMap': ['kubernetes-models/v1', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1', 'IService'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1', 'IDeployment'],
  'apps/v1/StatefulSet': ['kubernetes-models/apps/v1', 'IStatefulSet'],
  'batch/v1/Job': ['kubernetes-models/batch/v1', 'IJob'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1', 'IPodDisruptionBudget'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1', 'IIngress'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1', 'INetworkPolicy'],
  'keda.sh/v1alpha1/ScaledObject': ['@kubernetes-models/keda/keda.sh/v1alpha1', 'IScaledObject'],
  'keda.sh/v1alpha1/TriggerAuthentication': ['@kubernetes-models/keda/keda.sh/v1alpha1', 'ITriggerAuthentication'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'IServiceMonitor'],
  'monitoring.coreos.com/v1/PrometheusRule': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'IPrometheusRule'],
};

/** A TypeScript module that checks every object against its kind's interface, one object per line. */
function checkModule(objects: K8sObject[]): { source: string; headerLines: number } {
  const imports = new Map<string, string>();
  const lines = objects.map((object, i) => {
    const id = `${object.apiVersion}/${object.kind}`;
    const known = INTERFACES[id];
    if (!known) return `// ${id}: no interface known`;
    const key = known.join('#');
    if (!imports.has(key)) imports.set(key, `T${imports.size}`);
    return `export const o${i} = ${JSON.stringify(object)} satisfies ${imports.get(key)};`;
  });
  const header = [...imports].map(([key, alias]) => {
    const [module, name] = key.split('#');
    return `import type { ${name} as ${alias} } from '${module}';`;
  });
  return { source: [...header, ...lines].join('\n'), headerLines: header.length };
}

/**
 * Type errors (unknown fields included) of each set of objects against their kinds' interfaces,
 * one line per problem. All sets are checked in one TypeScript program (it takes seconds).
 */
export function unknownFieldProblems(sets: Record<string, K8sObject[]>): Record<string, string[]> {
  const modules = new Map(Object.entries(sets).map(([name, objects]) => [join(DEPLOY_DIR, 'test', `__rendered_${name}__.ts`), { name, objects, ...checkModule(objects) }]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  // the modules exist only in memory: the host serves them, everything else comes from disk
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) => {
    const module = modules.get(file);
    return module ? ts.createSourceFile(file, module.source, language) : getSourceFile(file, language, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => modules.has(file) || fileExists(file);
  const program = ts.createProgram([...modules.keys()], options, host);

  const problems = Object.fromEntries(Object.keys(sets).map((name) => [name, [] as string[]]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const module = d.file ? modules.get(d.file.fileName) : undefined;
    const line = module && d.start !== undefined ? d.file!.getLineAndCharacterOfPosition(d.start).line - module.headerLines : -1;
    const object = module?.objects[line];
    const where = object ? `${object.kind} ${object.metadata.name}` : (d.file?.fileName ?? 'program');
    problems[module?.name ?? Object.keys(sets)[0]!]!.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return problems;
}
