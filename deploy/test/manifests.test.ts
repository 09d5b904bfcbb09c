// Renders every overlay with `kubectl kustomize` and checks what a cluster would only tell us at
// apply time (schemas) or much later (broken cross-references): selectors, ports, probe paths,
// scaling targets, stream and group names, and the environment the services validate.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GROUPS, STREAMS } from '@pizza/contracts';
import { CONFIG_VARIABLES, SHUTDOWN_DEADLINE_MS, createMetrics, loadConfig } from '@pizza/infra';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { K8S_DIR, REPO_ROOT } from '../src/paths';
import { servedPaths } from './probe-paths';
import { OVERLAYS, at, renderOverlay, type K8sObject } from './render';
import { schemaProblems } from './schemas';
import { unknownFieldProblems } from './known-fields';
import { named, ofKind, podTemplates, selects, type Container, type LabelSelector, type PodTemplate } from './workloads';

/** The project's workloads: Deployment and Service names, and the docker/Dockerfile target of each. */
const SERVICES = ['order-service', 'notifications', 'delivery', 'simulator', 'web'] as const;
const NODE_SERVICES = ['order-service', 'notifications', 'delivery', 'simulator'] as const;
/** What the distributed services cannot run without: a shared bus, and (except the simulator) shared storage. */
const REQUIRED_ENV: Record<(typeof NODE_SERVICES)[number], string[]> = {
  'order-service': ['REDIS_URL', 'DATABASE_URL'],
  notifications: ['REDIS_URL', 'DATABASE_URL'],
  delivery: ['REDIS_URL', 'DATABASE_URL'],
  simulator: ['REDIS_URL'],
};
/** Which consumer group each service runs and the streams it reads (the event table of docs/architecture.md). */
const CONSUMERS: Record<string, { group: string; streams: string[] }> = {
  'order-service': { group: GROUPS.orders, streams: [STREAMS.orderStatus, STREAMS.deliveries] },
  delivery: { group: GROUPS.delivery, streams: [STREAMS.orders, STREAMS.deliveryStatus] },
  simulator: { group: GROUPS.simulator, streams: [STREAMS.simulateOrder, STREAMS.simulateDelivery] },
};
/** The Secret the services and KEDA read; created by the dev overlay, by the operator in prod. */
const BACKENDS_SECRET = 'pizza-express-backends';
const EXAMPLE_SECRET = parseEnv(readFileSync(resolve(K8S_DIR, 'overlays/prod/backends.example.env'), 'utf8'));

const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, renderOverlay(o)])) as Record<(typeof OVERLAYS)[number], K8sObject[]>;
let typeChecked: Record<string, string[]> | undefined;

/** EXPOSE of each target of docker/Dockerfile: the port its image listens on. */
function dockerfilePorts(): Record<string, number> {
  const ports: Record<string, number> = {};
  let target = '';
  for (const line of readFileSync(resolve(REPO_ROOT, 'docker/Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) target = from[1]!;
    const expose = /^EXPOSE\s+(\d+)/i.exec(line);
    if (expose) ports[target] = Number(expose[1]);
  }
  return ports;
}

/** What docker/Dockerfile says about the images: the targets built on the from-scratch runtime, and the one program it copies in. */
function dockerfileImages(): { scratchTargets: string[]; nodeBinary: string } {
  const dockerfile = readFileSync(resolve(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
  const bases = new Map([...dockerfile.matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)/gim)].map((m) => [m[2]!, m[1]!]));
  const fromScratch = (target: string): boolean => {
    const base = bases.get(target);
    return base === 'scratch' || (base !== undefined && bases.has(base) && fromScratch(base));
  };
  const runtime = /^FROM scratch AS (\S+)\n(?:(?!^FROM).*\n)*/m.exec(dockerfile)!;
  const nodeBinary = /^COPY --from=node (\S+) \1$/m.exec(runtime[0])![1]!;
  return { scratchTargets: [...bases.keys()].filter(fromScratch), nodeBinary };
}

const pauses = new Map<string, number>();
/** Runs a preStop command here (node commands with this machine's node) and returns how long it took, in seconds. */
function measuredPause(command: string[]): number {
  const key = JSON.stringify(command);
  if (!pauses.has(key)) {
    const [program, ...args] = command;
    const started = performance.now();
    const result = spawnSync(program!.endsWith('/node') ? process.execPath : program!, args, { timeout: 20_000 });
    expect(result.status, `preStop ${key}: ${String(result.error ?? result.stderr)}`).toBe(0);
    pauses.set(key, (performance.now() - started) / 1000);
  }
  const seconds = pauses.get(key)!;
  expect(seconds, `preStop ${key} pauses`).toBeGreaterThanOrEqual(4.9);
  return seconds;
}

function podOf(objects: K8sObject[], deployment: string): PodTemplate {
  const pod = podTemplates(objects).find((p) => p.workload.kind === 'Deployment' && p.workload.metadata.name === deployment);
  if (!pod) throw new Error(`no Deployment ${deployment}`);
  return pod;
}

/** The environment a container starts with: env values, ConfigMap keys (envFrom), Secret keys. */
function containerEnv(objects: K8sObject[], container: Container): Record<string, string> {
  const secretValue = (name: string, key: string): string | undefined => {
    const secret = named(objects, 'Secret', name);
    if (secret) {
      const plain = at<string>(secret, 'stringData', key);
      const encoded = at<string>(secret, 'data', key);
      return plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'));
    }
    return name === BACKENDS_SECRET ? EXAMPLE_SECRET[key] : undefined;
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef?.name;
    const map = ref ? named(objects, 'ConfigMap', ref) : undefined;
    if (!map) throw new Error(`envFrom names ConfigMap ${ref ?? '(a Secret)'}, which is not rendered`);
    Object.assign(env, at<Record<string, string>>(map, 'data') ?? {});
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    const value = entry.value ?? (ref ? secretValue(ref.name, ref.key) : undefined);
    if (value === undefined && ref?.optional) continue; // the kubelet leaves it unset
    if (value === undefined) throw new Error(`${entry.name}: no value (Secret ${ref?.name} key ${ref?.key} is not provided)`);
    env[entry.name] = value;
  }
  return env;
}

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = rendered[overlay];
  const pods = podTemplates(objects);

  it('every object passes the schema of its kind (Kubernetes API, KEDA and Prometheus Operator CRDs)', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  it('every object names only fields its kind has, at any depth (the API server rejects unknown fields)', () => {
    typeChecked ??= unknownFieldProblems(rendered);
    expect(typeChecked[overlay]).toEqual([]);
  });

  it('every object lives in the pizza-express namespace and is named once per kind', () => {
    const namespaced = objects.filter((o) => o.kind !== 'Namespace');
    expect(namespaced.filter((o) => o.metadata.namespace !== 'pizza-express').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('has a Deployment, a Service and a PodDisruptionBudget for each service, built from its Dockerfile target', () => {
    const ports = dockerfilePorts();
    for (const name of SERVICES) {
      const pod = podOf(objects, name);
      expect(named(objects, 'Service', name), name).toBeDefined();
      const budget = named(objects, 'PodDisruptionBudget', name);
      expect(selects(at(budget, 'spec', 'selector'), pod.labels), `PDB ${name}`).toBe(true);
      const [container] = pod.spec.containers;
      expect(container!.image).toMatch(new RegExp(`(^|/)pizza-express/${name}:`));
      expect(container!.ports?.find((p) => p.name === 'http')?.containerPort, name).toBe(ports[name]);
    }
  });

  it('every selector selects its own pods: Deployments, Services, budgets, network policies', () => {
    for (const pod of pods.filter((p) => p.workload.kind !== 'Job')) {
      expect(selects(at(pod.workload, 'spec', 'selector'), pod.labels), `${pod.workload.kind} ${pod.workload.metadata.name}`).toBe(true);
    }
    const selectorOf = (o: K8sObject) => at<LabelSelector>(o, 'spec', o.kind === 'NetworkPolicy' ? 'podSelector' : 'selector');
    for (const object of objects.filter((o) => ['Service', 'PodDisruptionBudget', 'NetworkPolicy'].includes(o.kind))) {
      const matched = pods.filter((p) => selects(selectorOf(object), p.labels));
      expect(matched.length, `${object.kind} ${object.metadata.name} selects no pod`).toBeGreaterThan(0);
    }
  });

  it('every Service port, network-policy port and probe names a port its pods declare', () => {
    for (const policy of ofKind(objects, 'NetworkPolicy')) {
      const matched = pods.filter((p) => selects(at(policy, 'spec', 'podSelector'), p.labels));
      const names = (at<{ ports?: { port: string | number }[] }[]>(policy, 'spec', 'ingress') ?? []).flatMap((rule) => (rule.ports ?? []).map((p) => p.port));
      if (names.length === 0) continue; // deny-all: no rule, no port
      for (const pod of matched) {
        const declared = pod.spec.containers.flatMap((c) => c.ports ?? []).flatMap((p) => [p.name, p.containerPort]);
        expect(names.some((n) => declared.includes(n)), `NetworkPolicy ${policy.metadata.name} opens no port of ${pod.workload.metadata.name}`).toBe(true);
      }
    }
    for (const service of ofKind(objects, 'Service')) {
      const matched = pods.filter((p) => selects(at(service, 'spec', 'selector'), p.labels));
      for (const port of at<{ targetPort: string | number }[]>(service, 'spec', 'ports') ?? []) {
        for (const pod of matched) {
          const declared = pod.spec.containers.flatMap((c) => c.ports ?? []);
          expect(declared.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort), `${service.metadata.name} → ${port.targetPort}`).toBe(true);
        }
      }
    }
    for (const pod of pods) {
      for (const container of pod.spec.containers) {
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
          const port = at<string | number>(container, probe, 'httpGet', 'port');
          if (port === undefined) continue;
          expect((container.ports ?? []).some((p) => p.name === port || p.containerPort === port), `${container.name} ${probe}`).toBe(true);
        }
      }
    }
  });

  it('the node services are probed on the health routes their HTTP server answers with 200', async () => {
    const served = await servedPaths(NODE_SERVICES.flatMap((name) => {
      const [container] = podOf(objects, name).spec.containers;
      return ['startupProbe', 'livenessProbe', 'readinessProbe'].map((p) => at<string>(container, p, 'httpGet', 'path')!);
    }));
    for (const name of NODE_SERVICES) {
      const [container] = podOf(objects, name).spec.containers;
      expect(at(container, 'livenessProbe', 'httpGet', 'path')).toBe('/api/v1/health/liveness');
      expect(at(container, 'readinessProbe', 'httpGet', 'path')).toBe('/api/v1/health/readiness');
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        expect(served[at<string>(container, probe, 'httpGet', 'path')!], `${name} ${probe}`).toBe(200);
      }
    }
    const web = podOf(objects, 'web').spec.containers[0]!;
    const webConf = readFileSync(resolve(REPO_ROOT, 'docker/web/default.conf'), 'utf8');
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect(webConf).toContain(`location ${at<string>(web, probe, 'httpGet', 'path')} {`);
    }
  });

  it('every pod runs non-root on a read-only root filesystem with no capabilities and no service-account token', () => {
    for (const pod of pods) {
      const id = `${pod.workload.kind} ${pod.workload.metadata.name}`;
      expect(at(pod.spec, 'securityContext', 'runAsNonRoot'), id).toBe(true);
      expect(at<number>(pod.spec, 'securityContext', 'runAsUser'), id).toBeGreaterThan(0);
      expect(pod.spec.automountServiceAccountToken, id).toBe(false);
      for (const container of pod.spec.containers) {
        expect(container.securityContext, id).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        for (const resource of ['cpu', 'memory']) {
          expect(container.resources?.requests?.[resource], `${id} request ${resource}`).toBeDefined();
          expect(container.resources?.limits?.[resource], `${id} limit ${resource}`).toBeDefined();
        }
      }
    }
  });

  it('gives each service the CPU and memory requests and limits docs/scaling.md derives from the bench figures', () => {
    const doc = readFileSync(resolve(REPO_ROOT, 'docs/scaling.md'), 'utf8');
    const table = doc.slice(doc.indexOf('### Requests and limits in the manifests'));
    for (const name of SERVICES) {
      const row = new RegExp(`^\\| ${name} \\| (\\S+) / (\\S+) \\| (\\S+) / (\\S+) \\|`, 'm').exec(table);
      expect(row, `docs/scaling.md has no row for ${name}`).not.toBeNull();
      const { resources } = podOf(objects, name).spec.containers[0]!;
      expect([resources?.requests?.cpu, resources?.limits?.cpu, resources?.requests?.memory, resources?.limits?.memory], name).toEqual(row!.slice(1, 5));
    }
  });

  it('each service is spread over nodes and zones', () => {
    for (const name of SERVICES) {
      const { spec, labels } = podOf(objects, name);
      const keys = (at<{ topologyKey: string; labelSelector: LabelSelector }[]>(spec, 'topologySpreadConstraints') ?? []).filter((c) => selects(c.labelSelector, labels)).map((c) => c.topologyKey);
      expect(keys, name).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    }
  });

  it('the preStop pause of each service runs a program its image has, and the grace period outlasts the pause plus the drain deadline', () => {
    const image = dockerfileImages();
    for (const name of SERVICES) {
      const { spec } = podOf(objects, name);
      const command = spec.containers[0]!.lifecycle?.preStop?.exec?.command ?? [];
      // node images are FROM scratch with the node binary alone: no shell, no sleep
      if (image.scratchTargets.includes(name)) expect(command[0], name).toBe(image.nodeBinary);
      else expect(command[0], name).toBe('sleep');
      const pauseSeconds = measuredPause(command);
      expect(at<number>(spec, 'terminationGracePeriodSeconds'), name).toBeGreaterThan(pauseSeconds + SHUTDOWN_DEADLINE_MS / 1000);
    }
  }, 60_000);

  it('every variable given to a node service is one its config accepts, every required one is set, and the whole environment passes validation', () => {
    for (const name of NODE_SERVICES) {
      const [container] = podOf(objects, name).spec.containers;
      const env = containerEnv(objects, container!);
      const declared = [...Object.keys(env), ...(container!.env ?? []).map((e) => e.name)];
      expect(declared.filter((v) => !CONFIG_VARIABLES.includes(v)), name).toEqual([]);
      for (const variable of REQUIRED_ENV[name]) expect(env[variable], `${name} ${variable}`).toBeTruthy();
      const config = loadConfig(env);
      expect(config.PORT, name).toBe(container!.ports?.find((p) => p.name === 'http')?.containerPort);
      expect(config.REDIS_URL, name).toMatch(/^rediss?:\/\//);
      if (REQUIRED_ENV[name].includes('DATABASE_URL')) expect(config.DATABASE_URL, name).toMatch(/^mongodb(\+srv)?:\/\//);
    }
  });

  it('only the ingress controller reaches web, order-service and notifications; delivery and simulator take no traffic from outside', () => {
    const denyAll = ofKind(objects, 'NetworkPolicy').find((p) => Object.keys(at(p, 'spec', 'podSelector') ?? {}).length === 0);
    expect(at(denyAll, 'spec', 'policyTypes')).toEqual(['Ingress']);
    expect(at(denyAll, 'spec', 'ingress')).toBeUndefined();
    const fromIngress = named(objects, 'NetworkPolicy', 'from-ingress-controller')!;
    const reached = SERVICES.filter((s) => selects(at(fromIngress, 'spec', 'podSelector'), podOf(objects, s).labels));
    expect(reached).toEqual(['order-service', 'notifications', 'web']);
    expect(at(fromIngress, 'spec', 'ingress', 0, 'from', 0, 'namespaceSelector', 'matchLabels')).toEqual({ 'kubernetes.io/metadata.name': 'ingress-nginx' });
  });

  it('the Ingress routes as the compose edge: paths, WebSocket and SSE timeouts, body limit, order rate limit', () => {
    const ingresses = ofKind(objects, 'Ingress');
    const routes = ingresses.flatMap((ing) =>
      (at<{ path: string; pathType: string; backend: { service: { name: string; port: { name: string } } } }[]>(ing, 'spec', 'rules', 0, 'http', 'paths') ?? []).map((p) => ({ ingress: ing, ...p })),
    );
    const route = (path: string) => routes.find((r) => r.path === path);
    expect(route('/')?.backend.service.name).toBe('web');
    expect(route('/api')?.backend.service.name).toBe('order-service');
    expect(route('/ws/')?.backend.service.name).toBe('notifications');
    for (const r of routes) {
      const service = named(objects, 'Service', r.backend.service.name);
      expect(at<{ name: string }[]>(service, 'spec', 'ports')?.some((p) => p.name === r.backend.service.port.name), r.path).toBe(true);
      expect(at(r.ingress, 'spec', 'ingressClassName')).toBe('nginx');
    }

    // Where the controller sends a path: regex paths (use-regex, per host) are anchored at the start
    // and case-insensitive, Exact paths match alone and first, the longest path is tried first.
    const regex = ingresses.some((i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/use-regex'] === 'true');
    expect(regex).toBe(true);
    const routed = (path: string) =>
      routes.find((r) => r.pathType === 'Exact' && r.path === path) ??
      [...routes].filter((r) => r.pathType !== 'Exact').sort((a, b) => b.path.length - a.path.length).find((r) => new RegExp(`^${r.path}`, 'i').test(path));
    const id = '0b7e4f4e-9a43-4b7a-9d9e-8a3c2f1b6d21';
    const limitedOf = (path: string) => routed(path)?.ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/limit-rps'] !== undefined;
    // every spelling of order creation the order service takes is limited, as docker/test/nginx.test.ts checks on the compose
    // edge (the controller decodes and normalises the path first: %6Frders, orders%2F, dot segments and // arrive as below)
    for (const path of ['/api/v1/orders', '/api/v1/orders/', '/api/trpc/orders.create', '/api/trpc/menu.list,orders.create', '/api/trpc/orders.create,menu.list', '/api/trpc/admin.setStock,orders.create']) {
      expect(routed(path)?.backend.service.name, path).toBe('order-service');
      expect(limitedOf(path), path).toBe(true);
    }
    for (const path of [`/api/v1/orders/${id}`, '/api/v1/menu', '/api/trpc/menu.list', '/api/trpc/orders.byId', '/api/v1/openapi.json', '/api/docs']) {
      expect(routed(path)?.backend.service.name, path).toBe('order-service');
      expect(limitedOf(path), path).toBe(false);
    }
    // the SSE path goes to notifications exactly where the compose edge's regex location sends it there
    const template = readFileSync(resolve(REPO_ROOT, 'docker/nginx/templates/default.conf.template'), 'utf8');
    const composeSse = new RegExp(/location ~ (\^\/api\/v1\/orders\S+) \{/.exec(template)![1]!);
    for (const path of [`/api/v1/orders/${id}/events`, `/api/v1/orders/${id}/events/`, `/api/v1/orders/${id}`, `/api/v1/orders/x/events/more`, '/api/v1/orders/events']) {
      expect(routed(path)?.backend.service.name === 'notifications', path).toBe(composeSse.test(path));
    }
    for (const path of ['/ws/v1/order-tracking/' + id, '/ws/v1/trpc']) expect(routed(path)?.backend.service.name, path).toBe('notifications');
    for (const path of ['/', `/orders/${id}`, '/assets/index.js']) expect(routed(path)?.backend.service.name, path).toBe('web');
    const sse = routed(`/api/v1/orders/${id}/events`)!;

    const wsTimeout = /location \/ws\/ \{[^}]*proxy_read_timeout (\d+)s/.exec(template)![1];
    const live = sse.ingress.metadata.annotations ?? {};
    expect(live['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(live['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe(wsTimeout);
    expect(live['nginx.ingress.kubernetes.io/proxy-send-timeout']).toBe(wsTimeout);

    const bodyLimit = /client_max_body_size (\S+);/.exec(readFileSync(resolve(REPO_ROOT, 'docker/nginx/nginx.conf'), 'utf8'))![1];
    for (const ing of ingresses) expect(ing.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size'], ing.metadata.name).toBe(bodyLimit);

    const compose = readFileSync(resolve(REPO_ROOT, 'docker/compose.yaml'), 'utf8');
    const rate = Number(/ORDER_CREATE_RATE:-(\d+)r\/s/.exec(compose)![1]);
    const burst = Number(/ORDER_CREATE_BURST:-(\d+)/.exec(compose)![1]);
    const limited = routes.filter((r) => r.ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/limit-rps']);
    expect(limited.every((r) => r.backend.service.name === 'order-service')).toBe(true);
    expect(limited.every((r) => r.pathType === 'ImplementationSpecific')).toBe(true);
    // the controller matches regex paths anchored at the start and without regard to case, on the
    // normalised path (`//`, dot segments and percent-encoded letters already resolved)
    const isLimited = (path: string) => limited.some((r) => new RegExp(`^${r.path}`, 'i').test(path));
    for (const path of ['/api/v1/orders', '/api/v1/orders/', '/api/v1/ORDERS', '/api/trpc/orders.create', '/api/trpc/orders.create/', '/api/trpc/menu.list,orders.create', '/api/trpc/orders.create,menu.list', '/api/trpc/admin.setStock,orders.create']) {
      expect(isLimited(path), path).toBe(true);
    }
    for (const path of ['/api/v1/orders/0b7e4f4e-9a43-4b7a-9d9e-8a3c2f1b6d21', '/api/v1/orders/0b7e4f4e-9a43-4b7a-9d9e-8a3c2f1b6d21/events', '/api/trpc/orders.byId', '/api/v1/menu', '/api/trpc/orders.createX']) {
      expect(isLimited(path), path).toBe(false);
    }
    const annotations = limited[0]!.ingress.metadata.annotations!;
    expect(Number(annotations['nginx.ingress.kubernetes.io/limit-rps'])).toBe(rate);
    expect(rate * Number(annotations['nginx.ingress.kubernetes.io/limit-burst-multiplier'])).toBe(burst);
  });
});

describe('overlay dev', () => {
  const objects = rendered.dev;

  it('runs one replica of each service, with Redis and MongoDB in the cluster that only the services reach', () => {
    for (const name of SERVICES) expect(at(named(objects, 'Deployment', name), 'spec', 'replicas'), name).toBe(1);
    expect(ofKind(objects, 'ScaledObject')).toEqual([]);
    const policy = named(objects, 'NetworkPolicy', 'backends-from-services')!;
    const pods = podTemplates(objects);
    const guarded = pods.filter((p) => selects(at(policy, 'spec', 'podSelector'), p.labels)).map((p) => p.workload.metadata.name);
    expect(guarded.sort()).toEqual(['mongo', 'redis']);
    const clients = pods.filter((p) => selects(at(policy, 'spec', 'ingress', 0, 'from', 0, 'podSelector'), p.labels)).map((p) => p.workload.metadata.name);
    expect(clients.sort()).toEqual(['delivery', 'mongo-init', 'notifications', 'order-service', 'simulator']);
    const env = containerEnv(objects, podOf(objects, 'order-service').spec.containers[0]!);
    expect(env.REDIS_URL).toBe(`redis://redis:${at(named(objects, 'Service', 'redis'), 'spec', 'ports', 0, 'port')}`);
    expect(env.DATABASE_URL).toContain(`mongo-0.mongo:${at(named(objects, 'Service', 'mongo'), 'spec', 'ports', 0, 'port')}`);
    expect(env.ADMIN_TOKEN, 'dev keeps the operations API shut to callers from outside the pod').toBeUndefined();
  });
});

describe('overlay prod', () => {
  const objects = rendered.prod;
  const scaled = ofKind(objects, 'ScaledObject');

  it('reads Redis and MongoDB only through the Secret pizza-express-backends, whose keys backends.example.env lists', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(ofKind(objects, 'StatefulSet')).toEqual([]);
    const refs = [
      ...podTemplates(objects).flatMap((p) => p.spec.containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])))),
      ...ofKind(objects, 'TriggerAuthentication').flatMap((t) => at<{ name: string; key: string }[]>(t, 'spec', 'secretTargetRef') ?? []),
    ];
    expect(refs.length).toBeGreaterThan(0);
    const withToken = NODE_SERVICES.filter((name) => containerEnv(objects, podOf(objects, name).spec.containers[0]!).ADMIN_TOKEN !== undefined);
    expect(withToken, 'ADMIN_TOKEN from the Secret, for the order service only').toEqual(['order-service']);
    for (const ref of refs) {
      expect(ref.name).toBe(BACKENDS_SECRET);
      expect(Object.keys(EXAMPLE_SECRET)).toContain(ref.key);
    }
  });

  it('scales each service on its own signal with one ScaledObject per Deployment: lag for the consumers, connections for notifications, CPU too for the order service', () => {
    const targets = scaled.map((s) => at<string>(s, 'spec', 'scaleTargetRef', 'name')!);
    expect(targets.sort()).toEqual(['delivery', 'notifications', 'order-service', 'simulator']);
    for (const target of targets) expect(named(objects, 'Deployment', target), target).toBeDefined();
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);

    for (const [deployment, { group, streams }] of Object.entries(CONSUMERS)) {
      const object = scaled.find((s) => at(s, 'spec', 'scaleTargetRef', 'name') === deployment)!;
      const triggers = at<{ type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[]>(object, 'spec', 'triggers')!;
      const lag = triggers.filter((t) => t.type === 'redis-streams' && t.metadata.lagCount);
      expect(lag.map((t) => t.metadata.stream).sort(), deployment).toEqual([...streams].sort());
      for (const trigger of triggers.filter((t) => t.type === 'redis-streams')) {
        expect(Object.values(STREAMS)).toContain(trigger.metadata.stream);
        expect(trigger.metadata.consumerGroup, deployment).toBe(group);
        expect(streams).toContain(trigger.metadata.stream);
        expect(named(objects, 'TriggerAuthentication', trigger.authenticationRef!.name)).toBeDefined();
      }
      // never scaled to zero: KEDA's lag activation needs more than activationLagCount entries
      expect(at<number>(object, 'spec', 'minReplicaCount'), deployment).toBeGreaterThanOrEqual(1);
    }

    const orderTriggers = at<{ type: string; metricType?: string }[]>(named(objects, 'ScaledObject', 'order-service'), 'spec', 'triggers')!;
    expect(orderTriggers.find((t) => t.type === 'cpu')?.metricType).toBe('Utilization');
    expect(podOf(objects, 'order-service').spec.containers[0]!.resources?.requests?.cpu).toBeDefined();
  });

  it('scales notifications on the open-connections gauge the service exports, per pod, in this namespace', () => {
    const object = named(objects, 'ScaledObject', 'notifications')!;
    const [trigger] = at<{ type: string; metricType: string; metadata: Record<string, string> }[]>(object, 'spec', 'triggers')!;
    expect(trigger!.type).toBe('prometheus');
    expect(trigger!.metricType).toBe('AverageValue');
    const metric = /^sum\((\w+)\{/.exec(trigger!.metadata.query!)![1]!;
    expect(createMetrics('notifications').registry.getSingleMetric(metric), metric).toBeDefined();
    expect(trigger!.metadata.query).toContain(`namespace="${object.metadata.namespace}"`);
    expect(trigger!.metadata.query).toContain('job="notifications"');
    const cap = Number(at<string>(named(objects, 'ConfigMap', 'notifications-config'), 'data', 'WS_MAX_CONNECTIONS'));
    expect(Number(trigger!.metadata.threshold)).toBeLessThan(cap);
  });

  it('monitors every node service through its Service port and carries the alert rules', () => {
    const monitors = ofKind(objects, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([...NODE_SERVICES].sort());
    for (const monitor of monitors) {
      const services = ofKind(objects, 'Service').filter((s) => selects(at(monitor, 'spec', 'selector'), s.metadata.labels ?? {}));
      expect(services.map((s) => s.metadata.name), monitor.metadata.name).toEqual([monitor.metadata.name]);
      const endpoint = at<{ port: string; path: string }>(monitor, 'spec', 'endpoints', 0)!;
      expect(endpoint.path).toBe('/metrics');
      expect(at<{ name: string }[]>(services[0], 'spec', 'ports')?.map((p) => p.name)).toContain(endpoint.port);
    }
    expect(ofKind(objects, 'PrometheusRule').map((r) => r.metadata.name)).toEqual(['pizza-express-alerts']);
  });
});
