// Static validation of everything under docker/: it parses, it points at files that exist,
// the pieces agree with each other and with the docs (ports, routes, labels, metric names).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderTemplate, templateVariables, TEMPLATE_VARIABLES, TEMPLATES_DIR } from '../nginx/render.mjs';
import {
  dashboardMetricNames,
  dashboardQueries,
  declaredMetricSeries,
  loadDashboards,
  allPanels,
  PROMETHEUS_SYNTHETIC,
  withGrafanaVariables,
} from './dashboards';
import {
  COMPOSE,
  COMPOSE_OBSERVABILITY,
  docker,
  environmentOf,
  exists,
  mergedCompose,
  readJson,
  readText,
  readYaml,
  REPO_ROOT,
  requireTool,
  run,
  type ComposeService,
} from './lib';

const scratch = mkdtempSync(join(tmpdir(), 'pizza-docker-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The node services, their Dockerfile targets, ports and entry points. */
const APP_SERVICES = {
  'order-service': { port: 8003, cmd: 'dist/order-service.js', from: '/out/api' },
  notifications: { port: 8002, cmd: 'dist/notifications.js', from: '/out/api' },
  delivery: { port: 8001, cmd: 'dist/delivery.js', from: '/out/workers' },
  simulator: { port: 8004, cmd: 'dist/simulator.js', from: '/out/workers' },
} as const;
const LOG_LABEL = 'com.pizza-express.logs';

const yamlFiles = () => [
  COMPOSE,
  COMPOSE_OBSERVABILITY,
  docker('prometheus', 'prometheus.yml'),
  docker('loki', 'loki.yaml'),
  docker('tempo', 'tempo.yaml'),
  docker('prometheus', 'rules', 'alerts.yml'),
  docker('prometheus', 'rules', 'alerts.test.yml'),
  join(REPO_ROOT, '.github', 'workflows', 'ci.yml'),
  ...readdirSync(docker('grafana', 'provisioning', 'datasources')).map((f) =>
    docker('grafana', 'provisioning', 'datasources', f),
  ),
  ...readdirSync(docker('grafana', 'provisioning', 'dashboards')).map((f) =>
    docker('grafana', 'provisioning', 'dashboards', f),
  ),
];

/** Alloy syntax with string contents and // comments removed (a tiny scanner: "//" may sit in a string). */
function stripAlloyStringsAndComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += '""';
      i = j;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += ch;
    }
  }
  return out;
}

describe('every config file parses', () => {
  it.each(yamlFiles().map((f) => [f.slice(REPO_ROOT.length + 1), f]))('%s is valid YAML', (_, file) => {
    expect(() => readYaml(file)).not.toThrow();
    expect(readYaml(file)).toBeTypeOf('object');
  });

  it.each(readdirSync(docker('grafana', 'dashboards')).map((f) => [f]))(
    'grafana/dashboards/%s is valid JSON',
    (f) => {
      expect(() => readJson(docker('grafana', 'dashboards', f))).not.toThrow();
    },
  );

  it('the mongo-init script is valid JavaScript', () => {
    const r = run(process.execPath, ['--check', docker('mongo', 'init-replica-set.js')]);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('the Alloy config is balanced and wires its components together', () => {
    const text = readText(docker('alloy', 'config.alloy'));
    const code = stripAlloyStringsAndComments(text);
    let depth = 0;
    for (const ch of code) {
      if (ch === '{') depth++;
      if (ch === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    const declared = new Set(
      [...text.matchAll(/^([a-z_.]+) "([a-z_]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`),
    );
    expect([...declared].sort()).toEqual(
      [
        'discovery.docker.containers',
        'discovery.relabel.app_containers',
        'loki.process.pino',
        'loki.source.docker.app_containers',
        'loki.write.loki',
      ].sort(),
    );
    const references = [
      ...code.matchAll(/=\s*\[?\s*((?:discovery|loki)\.[a-z_.]+)\.(targets|output|receiver)/g),
    ].map((m) => m[1]!);
    expect(references.length).toBeGreaterThanOrEqual(4);
    for (const ref of references) expect(declared, ref).toContain(ref);
  });
});

describe('compose.yaml', () => {
  const base = readYaml<{ services: Record<string, ComposeService> }>(COMPOSE);
  const svc = (name: string) => {
    const s = base.services[name];
    if (!s) throw new Error(`service ${name} missing`);
    return s;
  };

  it('has the distributed topology', () => {
    expect(Object.keys(base.services).sort()).toEqual(
      [
        'delivery',
        'mongo',
        'mongo-init',
        'nginx',
        'notifications',
        'order-service',
        'redis',
        'simulator',
        'web',
      ].sort(),
    );
  });

  it('runs MongoDB 7 as replica set rs0, initiated once by mongo-init', () => {
    const mongo = svc('mongo');
    expect(mongo.image).toMatch(/^mongo:7/);
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0', '--bind_ip_all']));
    expect(mongo.healthcheck).toBeDefined();
    const init = svc('mongo-init');
    expect(init.depends_on?.mongo?.condition).toBe('service_healthy');
    expect(init.restart).toBe('no');
    const script = readText(docker('mongo', 'init-replica-set.js'));
    expect(script).toContain("rs.initiate({ _id: 'rs0'");
    expect(script).toMatch(/NotYetInitialized/);
  });

  it('runs Redis 7 with AOF persistence on a volume', () => {
    const redis = svc('redis');
    expect(redis.image).toMatch(/^redis:7/);
    expect((redis.command as string[]).join(' ')).toContain('--appendonly yes');
    expect(redis.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^redis-data:\/data$/)]));
    expect(redis.healthcheck).toBeDefined();
  });

  it.each(Object.entries(APP_SERVICES))('%s: image target, port, storage, bus, ordering', (name, spec) => {
    const s = svc(name);
    expect(s.build).toMatchObject({ context: '..', dockerfile: 'docker/Dockerfile', target: name });
    const env = environmentOf(s);
    expect(env.PORT).toBe(String(spec.port));
    expect(env.DATABASE_URL).toBe('mongodb://mongo:27017/pizza?replicaSet=rs0');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.LOG_LEVEL).toBe('info');
    expect(s.depends_on?.['mongo-init']?.condition).toBe('service_completed_successfully');
    expect(s.depends_on?.redis?.condition).toBe('service_healthy');
    expect(s.ports, 'only nginx publishes ports').toBeUndefined();
    expect(s.container_name, 'a fixed container name would prevent scaling').toBeUndefined();
  });

  it('the simulator gets its delay ranges, notifications its WebSocket timeouts', () => {
    const sim = environmentOf(svc('simulator'));
    for (const k of [
      'SIM_CONFIRM_DELAY_MS',
      'SIM_PREPARE_DELAY_MS',
      'SIM_PICKUP_DELAY_MS',
      'SIM_TRANSIT_DELAY_MS',
    ]) {
      expect(sim[k], k).toMatch(/^\d+(-\d+)?$/);
    }
    const notif = environmentOf(svc('notifications'));
    expect(notif.WS_PING_INTERVAL_MS).toBe('30000');
    expect(notif.WS_IDLE_TIMEOUT_MS).toBe('60000');
  });

  it('labels exactly the application containers for log shipping', () => {
    const labelled = Object.entries(mergedCompose().services)
      .filter(([, s]) => s.labels?.[LOG_LABEL] === 'true')
      .map(([n]) => n)
      .sort();
    expect(labelled).toEqual([...Object.keys(APP_SERVICES), 'web'].sort());
  });

  it('nginx is the only published port and waits for healthy upstreams', () => {
    const published = Object.entries(base.services)
      .filter(([, s]) => s.ports)
      .map(([n]) => n);
    expect(published).toEqual(['nginx']);
    const nginx = svc('nginx');
    expect(nginx.ports).toEqual(['${EDGE_ADDRESS:-127.0.0.1}:${EDGE_PORT:-8080}:8080']);
    for (const dep of ['order-service', 'notifications', 'web']) {
      expect(nginx.depends_on?.[dep]?.condition, dep).toBe('service_healthy');
    }
  });

  it('nginx environment defines every template variable, with compose addresses', () => {
    const env = environmentOf(svc('nginx'));
    for (const name of TEMPLATE_VARIABLES) expect(env, name).toHaveProperty(name);
    expect(env).toMatchObject({
      NGINX_LISTEN: '8080',
      ORDER_SERVICE_ADDR: 'order-service:8003',
      NOTIFICATIONS_ADDR: 'notifications:8002',
      WEB_ADDR: 'web:3000',
      PROMETHEUS_ADDR: 'prometheus:9090',
      GRAFANA_ADDR: 'grafana:3000',
      UPSTREAM_RESOLVE: 'resolve',
      NGINX_RESOLVER: '127.0.0.11',
    });
    expect(svc('nginx').image).toMatch(/^nginx:1\.(2[89]|[3-9]\d)/); // `resolve` in upstreams needs >= 1.27.3
  });

  it('has a healthcheck or an image HEALTHCHECK on every long-running service', () => {
    const dockerfile = readText(docker('Dockerfile'));
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/api\/v1\/health\/liveness/);
    for (const [name, s] of Object.entries(base.services)) {
      if (name === 'mongo-init') continue;
      const fromImage = s.build !== undefined; // our images carry HEALTHCHECK
      expect(fromImage || s.healthcheck !== undefined, name).toBe(true);
    }
  });
});

describe('compose files reference what exists', () => {
  const merged = mergedCompose();

  it.each(Object.entries(merged.services))('%s: bind mounts, build context and dockerfile exist', (_, s) => {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0]!;
      if (source.startsWith('./') || source.startsWith('../')) {
        expect(exists(join(docker(), source)), source).toBe(true);
      }
    }
    if (s.build) {
      const context = join(docker(), s.build.context);
      expect(exists(context)).toBe(true);
      expect(exists(join(context, s.build.dockerfile ?? 'Dockerfile'))).toBe(true);
    }
  });

  it('every depends_on names a service; named volumes are declared', () => {
    for (const [name, s] of Object.entries(merged.services)) {
      for (const dep of Object.keys(s.depends_on ?? {}))
        expect(merged.services, `${name} -> ${dep}`).toHaveProperty(dep);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(merged.volumes, `${name}: ${source}`).toHaveProperty(source);
      }
    }
  });

  it('every build target exists in the Dockerfile', () => {
    const targets = new Set(
      [...readText(docker('Dockerfile')).matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]),
    );
    for (const s of Object.values(merged.services))
      if (s.build?.target) expect(targets).toContain(s.build.target);
  });
});

describe('deployment defaults', () => {
  const merged = mergedCompose();
  // MongoDB and Grafana/Loki keep their images' own users and writable roots (not run here).
  const HARDENED = ['redis', 'order-service', 'notifications', 'delivery', 'simulator', 'web', 'nginx', 'prometheus', 'alloy'];

  it.each(HARDENED)('%s: read-only root filesystem, no capabilities, no privilege escalation', (name) => {
    const s = merged.services[name]!;
    expect(s.read_only).toBe(true);
    expect(s.cap_drop).toEqual(['ALL']);
    expect(s.security_opt).toEqual(['no-new-privileges:true']);
  });

  it('the edge, Redis and the log collector run as non-root users', () => {
    for (const name of ['nginx', 'redis', 'alloy']) expect(String(merged.services[name]!.user), name).toMatch(/^[1-9]\d*:\d+$/);
  });

  it('the observability stack refuses to start without a Grafana admin password', () => {
    const env = merged.services.grafana!.environment!;
    expect(String(env.GF_SECURITY_ADMIN_PASSWORD)).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}$/);
  });
});

describe('Dockerfile', () => {
  const text = readText(docker('Dockerfile'));
  const stage = (name: string) => {
    const start = text.search(new RegExp(`^FROM \\S+ AS ${name}$`, 'm'));
    expect(start, name).toBeGreaterThanOrEqual(0);
    const next = text.slice(start + 1).search(/^FROM /m);
    return next < 0 ? text.slice(start) : text.slice(start, start + 1 + next);
  };

  it.each(Object.entries(APP_SERVICES))('target %s runs its entry point on its port', (name, spec) => {
    const s = stage(name);
    expect(s).toMatch(/^FROM runtime AS /m);
    expect(s).toContain(`COPY --from=deploy ${spec.from} /app`);
    expect(s).toContain(`ENV PORT=${spec.port}`);
    expect(s).toContain(`CMD ["node", "${spec.cmd}"]`);
  });

  it('builds from the lockfile, fixes nodedir for the image, deploys production dependencies', () => {
    const build = stage('build');
    expect(build).toContain('pnpm install --frozen-lockfile');
    expect(build).toContain('pnpm build');
    expect(build).toMatch(/nodedir=\/usr\/local/);
    expect(build).toMatch(/python3 make g\+\+/);
    expect(stage('deploy')).toContain('deploy --prod --offline --config.inject-workspace-packages=true');
  });

  it('copies the manifest of every workspace package before installing (and no other)', () => {
    const workspace = (parse(readText(join(REPO_ROOT, 'pnpm-workspace.yaml'))) as { packages: string[] }).packages.flatMap((glob) =>
      glob.endsWith('/*')
        ? readdirSync(join(REPO_ROOT, glob.slice(0, -2)), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => `${glob.slice(0, -2)}/${d.name}`)
        : [glob],
    );
    const copied = [...stage('build').matchAll(/^COPY (\S+)\/package\.json \1\/$/gm)].map((m) => m[1]);
    expect(copied.sort()).toEqual(workspace.sort());
  });

  it('runs as the node user with a liveness HEALTHCHECK that needs no curl', () => {
    const runtime = stage('runtime');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain(
      "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health/liveness')",
    );
    expect(stage('server')).not.toMatch(/^USER /m); // inherits node from runtime
    expect(stage('server')).toContain('CMD ["node", "dist/main.js"]');
  });

  it('the web target serves the SPA from an unprivileged nginx with the fallback config', () => {
    const web = stage('web');
    expect(text).toMatch(/ARG WEB_IMAGE=nginxinc\/nginx-unprivileged:/);
    expect(web).toContain('COPY docker/web/default.conf /etc/nginx/conf.d/default.conf');
    expect(web).toContain('/repo/apps/web/dist /usr/share/nginx/html');
    expect(readText(docker('web', 'default.conf'))).toContain('try_files $uri $uri/ /index.html;');
  });

  it('COPY sources from the context exist and are not excluded by .dockerignore', () => {
    const ignore = readText(join(REPO_ROOT, '.dockerignore'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)]
      .flatMap((m) => m[1]!.split(/\s+/))
      .filter((s) => s !== '.');
    expect(sources).toEqual(expect.arrayContaining(['pnpm-lock.yaml', 'docker/web/default.conf']));
    for (const source of sources) {
      expect(exists(join(REPO_ROOT, source)), source).toBe(true);
      expect(ignore, `.dockerignore must not exclude ${source}`).not.toContain(source);
    }
    // Workspace manifests must reach the build (a missing importer breaks --frozen-lockfile).
    for (const pattern of ignore)
      expect(pattern).not.toMatch(/^(\*\*\/)?package\.json$|^pnpm-|^docker\/?$|^\.npmrc$/);
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});

describe('NGINX template', () => {
  const template = readText(join(TEMPLATES_DIR, 'default.conf.template'));

  it('uses exactly the documented variables', () => {
    expect(templateVariables(template).sort()).toEqual([...TEMPLATE_VARIABLES].sort());
  });

  it('render.mjs produces what the nginx image (envsubst) produces from the compose environment', () => {
    const envsubst = requireTool('envsubst');
    const env = environmentOf(mergedCompose().services.nginx!);
    // docker-entrypoint.d/20-envsubst-on-templates.sh: envsubst "$defined_envs" < template
    const defined = Object.keys(env)
      .map((k) => `\${${k}}`)
      .join(' ');
    const viaEnvsubst = run(envsubst, [defined], {
      input: template,
      env: { PATH: process.env.PATH, ...env },
    });
    expect(viaEnvsubst.code).toBe(0);
    expect(renderTemplate(template, env)).toBe(viaEnvsubst.stdout);
  });

  it('refuses to render with a variable missing', () => {
    expect(() => renderTemplate(template, { NGINX_LISTEN: '80' })).toThrow(/ORDER_SERVICE_ADDR/);
  });
});

describe('Prometheus', () => {
  const config = readYaml<{
    scrape_configs: {
      job_name: string;
      dns_sd_configs?: { names: string[]; type: string; port: number }[];
    }[];
  }>(docker('prometheus', 'prometheus.yml'));

  it('promtool accepts the config', () => {
    const promtool = requireTool('promtool');
    const r = run(promtool, ['check', 'config', '--syntax-only', docker('prometheus', 'prometheus.yml')]);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output).toBe(0);
  });

  it('scrapes every service replica by DNS name on its documented port', () => {
    for (const [name, spec] of Object.entries(APP_SERVICES)) {
      const job = config.scrape_configs.find((j) => j.job_name === name);
      expect(job, name).toBeDefined();
      expect(job!.dns_sd_configs).toEqual([
        expect.objectContaining({ names: [name], type: 'A', port: spec.port }),
      ]);
    }
  });

  it('runs behind NGINX at /prometheus/ with its own routes at /', () => {
    const prom = mergedCompose().services.prometheus!;
    expect(prom.command).toEqual(
      expect.arrayContaining(['--web.route-prefix=/', '--web.external-url=/prometheus/']),
    );
  });
});

describe('Loki and Alloy', () => {
  const loki = readYaml<{
    limits_config: { retention_period: string };
    compactor: { retention_enabled: boolean; delete_request_store: string; working_directory: string };
    common: { storage: { filesystem: object } };
    schema_config: { configs: { store: string; object_store: string }[] };
  }>(docker('loki', 'loki.yaml'));

  it('keeps logs 72 h on the filesystem, enforced by the compactor', () => {
    expect(loki.limits_config.retention_period).toBe('72h');
    expect(loki.compactor.retention_enabled).toBe(true);
    expect(loki.compactor.delete_request_store).toBe('filesystem');
    expect(loki.common.storage.filesystem).toBeDefined();
    expect(loki.schema_config.configs.at(-1)).toMatchObject({ store: 'tsdb', object_store: 'filesystem' });
  });

  it('Alloy keeps only containers with the compose log label and labels service and level', () => {
    const alloy = readText(docker('alloy', 'config.alloy'));
    const meta = `__meta_docker_container_label_${LOG_LABEL.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    expect(alloy).toMatch(
      new RegExp(`source_labels = \\["${meta}"\\]\\s+regex\\s+= "true"\\s+action\\s+= "keep"`),
    );
    expect(alloy).toContain(`values = ["${LOG_LABEL}=true"]`);
    expect(alloy).toMatch(/stage\.labels \{\s+values = \{\s+level\s+= "",\s+service = "",/);
    expect(alloy).toContain('url = "http://loki:3100/loki/api/v1/push"');
    const compose = mergedCompose().services.alloy!;
    expect(compose.volumes).toEqual(expect.arrayContaining(['/var/run/docker.sock:/var/run/docker.sock:ro']));
    expect(compose.image).toMatch(/^grafana\/alloy:/);
  });
});

describe('Grafana', () => {
  const datasources = readYaml<{ datasources: { uid: string; type: string; url: string }[] }>(
    docker('grafana', 'provisioning', 'datasources', 'datasources.yaml'),
  ).datasources;
  const uids = new Map(datasources.map((d) => [d.uid, d.type]));
  const dashboards = loadDashboards();
  const grafana = mergedCompose().services.grafana!;
  const env = environmentOf(grafana);

  it('provisions Prometheus, Loki and Tempo with fixed uids', () => {
    expect(Object.fromEntries(uids)).toEqual({ prometheus: 'prometheus', loki: 'loki', tempo: 'tempo' });
    expect(datasources.find((d) => d.uid === 'tempo')!.url).toBe('http://tempo:3200');
    expect(datasources.find((d) => d.uid === 'prometheus')!.url).toBe('http://prometheus:9090');
    expect(datasources.find((d) => d.uid === 'loki')!.url).toBe('http://loki:3100');
  });

  it('serves anonymous viewers from /grafana/', () => {
    expect(env).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_SERVER_SERVE_FROM_SUB_PATH: 'true',
    });
    expect(env.GF_SERVER_ROOT_URL).toMatch(/\/grafana\/$/);
  });

  it('mounts the provisioning and the dashboards where the provider reads them', () => {
    const provider = readYaml<{ providers: { options: { path: string } }[] }>(
      docker('grafana', 'provisioning', 'dashboards', 'dashboards.yaml'),
    ).providers[0]!;
    expect(grafana.volumes).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
    expect(env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${provider.options.path}/http.json`);
  });

  it('has the three dashboards with unique uids', () => {
    expect(Object.keys(dashboards)).toEqual(['event-pipeline.json', 'http.json', 'logs.json']);
    const ids = Object.values(dashboards).map((d) => d.uid);
    expect(new Set(ids).size).toBe(3);
    expect(ids.sort()).toEqual(['pizza-event-pipeline', 'pizza-http', 'pizza-logs']);
  });

  it('every panel, query and variable uses a provisioned datasource uid of the right type', () => {
    for (const [file, d] of Object.entries(dashboards)) {
      const refs = [
        ...allPanels(d).flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]),
        ...d.templating.list.map((v) => v.datasource),
      ].filter((r) => r !== undefined);
      expect(refs.length, file).toBeGreaterThan(0);
      for (const ref of refs) {
        expect(uids.has(ref!.uid!), `${file}: ${JSON.stringify(ref)}`).toBe(true);
        expect(uids.get(ref!.uid!), `${file}: ${JSON.stringify(ref)}`).toBe(ref!.type);
      }
    }
  });

  it('panels have unique ids and sit inside the 24-column grid', () => {
    for (const [file, d] of Object.entries(dashboards)) {
      const panels = allPanels(d);
      expect(new Set(panels.map((p) => p.id)).size, file).toBe(panels.length);
      for (const p of panels)
        expect(p.gridPos!.x + p.gridPos!.w, `${file}: ${p.title}`).toBeLessThanOrEqual(24);
    }
  });

  it('the HTTP dashboard covers rate, 5xx, p50/p95/p99 and top routes', () => {
    const exprs = dashboardQueries({ 'http.json': dashboards['http.json']! }).map((q) => q.expr);
    expect(exprs.some((e) => e.includes('status_code=~"5.."'))).toBe(true);
    for (const p of ['0.5', '0.95', '0.99']) {
      expect(
        exprs.some(
          (e) =>
            e.startsWith(`histogram_quantile(${p}`) && e.includes('http_request_duration_seconds_bucket'),
        ),
      ).toBe(true);
    }
    expect(exprs.some((e) => e.startsWith('topk('))).toBe(true);
  });

  it('the logs dashboard queries Loki by the labels Alloy sets and has a search box', () => {
    const logs = dashboards['logs.json']!;
    expect(logs.templating.list.find((v) => v.name === 'search')?.type).toBe('textbox');
    const exprs = dashboardQueries({ 'logs.json': logs });
    expect(exprs.length).toBeGreaterThanOrEqual(3);
    for (const q of exprs) {
      expect(q.datasource?.uid).toBe('loki');
      const selector = /^[^{]*\{([^}]*)\}/.exec(q.expr)?.[1] ?? '';
      const labels = [...selector.matchAll(/(\w+)\s*=~?/g)].map((m) => m[1]);
      for (const l of labels) expect(['service', 'level'], q.expr).toContain(l);
      expect(q.expr).toContain('$search');
    }
  });

  it('every metric a dashboard uses is declared in packages/infra/src/metrics.ts', () => {
    const declared = declaredMetricSeries();
    expect(declared.size).toBeGreaterThan(10);
    const used = dashboardMetricNames(dashboards);
    expect(Object.keys(used).sort()).toEqual(['event-pipeline.json', 'http.json']);
    for (const [file, names] of Object.entries(used)) {
      for (const name of names) {
        expect(declared.has(name) || PROMETHEUS_SYNTHETIC.has(name), `${file}: ${name}`).toBe(true);
      }
    }
  });

  it('promtool parses every PromQL query of the dashboards', () => {
    const promtool = requireTool('promtool');
    const queries = dashboardQueries(dashboards).filter((q) => q.datasource?.type === 'prometheus');
    expect(queries.length).toBeGreaterThan(20);
    const rules = {
      groups: [
        {
          name: 'dashboards',
          rules: queries.map((q, i) => ({
            record: `dashboard:query_${i}`,
            expr: withGrafanaVariables(q.expr),
          })),
        },
      ],
    };
    const file = join(scratch, 'dashboard-queries.rules.yml');
    writeFileSync(file, stringify(rules));
    const r = run(promtool, ['check', 'rules', file]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(new RegExp(`SUCCESS: ${queries.length} rules found`));
  });
});

describe('README', () => {
  it('says which log collector and why, and where to open things', () => {
    const readme = readText(docker('README.md'));
    expect(readme).toMatch(/Alloy/);
    expect(readme).toMatch(/Promtail/);
    for (const path of ['http://127.0.0.1:8080/', '/api/docs', '/grafana/', '/prometheus/', 'pnpm stack up'])
      expect(readme).toContain(path);
  });
});
