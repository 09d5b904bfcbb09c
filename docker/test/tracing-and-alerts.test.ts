// Static validation of the trace backend (Tempo) and of the alert rules: the pieces agree with
// each other and with the services, and every alert has a firing and a quiet unit test.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCompose } from '../stack/compose-files.mjs';
import { docker, environmentOf, mergedCompose, readYaml, requireTool, run } from './lib';

const RULES = docker('prometheus', 'rules', 'alerts.yml');
const RULE_TESTS = docker('prometheus', 'rules', 'alerts.test.yml');
const APP_SERVICES = ['order-service', 'notifications', 'delivery', 'simulator'];

interface AlertRule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}
interface RuleTest {
  name: string;
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

const alerts = readYaml<{ groups: { rules: AlertRule[] }[] }>(RULES).groups.flatMap((g) => g.rules);
const ruleTests = readYaml<{ rule_files: string[]; tests: RuleTest[] }>(RULE_TESTS);

describe('alert rules', () => {
  it('cover what an operator of this system needs', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'ConsumerGroupLagHigh',
      'ConsumerStuck',
      'DeadLettersIncreasing',
      'HighServerErrorRatio',
      'OrderPlacementSlow',
      'ScrapeTargetDown',
      'WebSocketConnectionsNearLimit',
    ]);
  });

  it('every alert has a summary, a description and a runbook', () => {
    for (const a of alerts) {
      expect(Object.keys(a.annotations).sort(), a.alert).toEqual(['description', 'runbook', 'summary']);
      expect(a.annotations.runbook!.length, a.alert).toBeGreaterThan(80);
    }
  });

  it('promtool accepts the rules', () => {
    const r = run(requireTool('promtool'), ['check', 'rules', RULES]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('every alert has a unit test that fires it and one that keeps it quiet', () => {
    expect(ruleTests.rule_files).toEqual(['alerts.yml']);
    for (const { alert } of alerts) {
      const cases = ruleTests.tests.flatMap((t) => t.alert_rule_test.filter((c) => c.alertname === alert));
      expect(cases.some((c) => c.exp_alerts.length > 0), `${alert} fires in a test`).toBe(true);
      expect(cases.some((c) => c.exp_alerts.length === 0), `${alert} stays quiet in a test`).toBe(true);
    }
  });

  it('promtool test rules: every case passes', () => {
    const r = run(requireTool('promtool'), ['test', 'rules', RULE_TESTS]);
    expect(r.output, r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output).toBe(0);
  });

  it('Prometheus loads them from the mounted rules folder, with exemplar storage on', () => {
    const config = readYaml<{ rule_files: string[] }>(docker('prometheus', 'prometheus.yml'));
    expect(config.rule_files).toEqual(['rules/alerts.yml']);
    const prometheus = mergedCompose().services.prometheus!;
    expect(prometheus.volumes).toContain('./prometheus/rules:/etc/prometheus/rules:ro');
    expect(prometheus.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus.command).toContain('--enable-feature=exemplar-storage');
  });
});

describe('Tempo', () => {
  const compose = mergedCompose();
  const tempoConfig = readYaml<{
    server: { http_listen_port: number };
    distributor: { receivers: { otlp: { protocols: { http: { endpoint: string } } } } };
  }>(docker('tempo', 'tempo.yaml'));

  it('receives OTLP/HTTP on 4318 and serves Grafana on 3200, storing on a volume', () => {
    expect(tempoConfig.distributor.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(tempoConfig.server.http_listen_port).toBe(3200);
    const tempo = compose.services.tempo!;
    expect(tempo.image).toMatch(/^grafana\/tempo:/);
    expect(tempo.volumes).toEqual(expect.arrayContaining(['./tempo/tempo.yaml:/etc/tempo/tempo.yaml:ro', 'tempo-data:/var/tempo']));
  });

  it.each(APP_SERVICES)('%s exports its traces to Tempo and keeps its own environment', (name) => {
    const env = environmentOf(compose.services[name]!);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://tempo:4318');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(compose.services[name]!.depends_on?.tempo).toBeDefined();
  });
});

describe('Grafana links logs, metrics and traces', () => {
  const datasources = readYaml<{ datasources: { uid: string; jsonData?: Record<string, unknown> }[] }>(
    docker('grafana', 'provisioning', 'datasources', 'datasources.yaml'),
  ).datasources;
  const jsonData = (uid: string) => datasources.find((d) => d.uid === uid)!.jsonData ?? {};

  it('a Loki line with a trace_id opens the trace in Tempo', () => {
    const [field] = jsonData('loki').derivedFields as { matcherRegex: string; datasourceUid: string; url: string }[];
    expect(field!.datasourceUid).toBe('tempo');
    expect(field!.url).toBe('$${__value.raw}');
    // the regex picks the id out of a real log line as pino writes it
    const line = '{"level":"info","service":"delivery-service","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","msg":"delivery created"}';
    expect(new RegExp(field!.matcherRegex).exec(line)?.[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('a trace opens the log lines that carry its id', () => {
    const toLogs = jsonData('tempo').tracesToLogsV2 as { datasourceUid: string; query: string };
    expect(toLogs.datasourceUid).toBe('loki');
    expect(toLogs.query).toContain('$${__trace.traceId}');
  });

  it('a histogram exemplar opens its trace', () => {
    expect(jsonData('prometheus').exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 'tempo' }]);
  });
});

describe('the dev tools page links an order to its trace', () => {
  const env = { ...process.env, GRAFANA_ADMIN_PASSWORD: 'test', EDGE_ADDRESS: '127.0.0.1', EDGE_PORT: '8080' };
  const observed = loadCompose([docker('compose.yaml'), docker('compose.observability.yaml')], env).services;

  it('the observability stack builds the web image with VITE_TRACE_URL: Grafana Explore on Tempo, TraceQL on the order id', () => {
    const build = observed.web!.build!;
    expect(build.target).toBe('web');
    const template = (build.args as Record<string, string>).VITE_TRACE_URL!;
    expect(template.startsWith('/grafana/explore?')).toBe(true);
    // filled in as the page does it, the link is a valid Explore state naming the order
    const orderId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const panes = JSON.parse(new URL(template.replaceAll('{orderId}', orderId), 'http://edge').searchParams.get('panes')!) as {
      a: { datasource: string; queries: { queryType: string; query: string }[] };
    };
    expect(panes.a.datasource).toBe('tempo');
    expect(panes.a.queries[0]).toMatchObject({ queryType: 'traceql', query: `{ span.pizza.order.id = "${orderId}" }` });
    const uids = readYaml<{ datasources: { uid: string }[] }>(docker('grafana', 'provisioning', 'datasources', 'datasources.yaml')).datasources.map((d) => d.uid);
    expect(uids).toContain('tempo');
  });

  it('without the observability file the web image is built without a trace link', () => {
    const plain = loadCompose([docker('compose.yaml')], env).services;
    expect(plain.web!.build!.args).toBeUndefined();
  });

  it('the Dockerfile builds the SPA again only when VITE_TRACE_URL is given, and the web image takes that build', () => {
    const dockerfile = readFileSync(docker('Dockerfile'), 'utf8');
    const stage = /^FROM build AS web-build\n([\s\S]*?)\n\n/m.exec(dockerfile)?.[1] ?? '';
    expect(stage).toContain('ARG VITE_TRACE_URL=');
    expect(stage).toMatch(/RUN if \[ -n "\$VITE_TRACE_URL" \]; then pnpm --filter @pizza\/web build; fi/);
    const web = dockerfile.slice(dockerfile.indexOf('AS web\n'));
    expect(web).toContain('COPY --from=web-build /repo/apps/web/dist /usr/share/nginx/html');
  });
});
