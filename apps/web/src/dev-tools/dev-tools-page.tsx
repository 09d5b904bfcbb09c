import type { HealthCheck } from '@pizza/contracts';
import type { ReactNode } from 'react';
import { Activity, BookOpen, ChartLine, ExternalLink, FileJson, Gauge, RadioTower, ScrollText, Server, type LucideIcon } from 'lucide-react';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { cn } from '@/lib/cn';
import { useDocumentTitle } from '@/lib/document-title';
import { ControlRoom } from './control-room';
import { OrderJourneyPanel } from './order-journey-panel';
import { OrderTraceLink } from './order-trace-link';
import { PipelineView } from './pipeline-view';
import { HEALTH_PATH, SERVICES_PATH, useHealthReport, useServicesReport, useSocketProbe, type HealthProbe, type SocketProbe } from './service-health';

interface ToolLink {
  label: string;
  href: string;
  description: string;
  icon: LucideIcon;
}

const OBSERVABILITY: ToolLink[] = [
  { label: 'HTTP dashboard', href: '/grafana/d/pizza-http', description: 'Grafana: request rates, latencies and status codes per route.', icon: ChartLine },
  { label: 'Event pipeline dashboard', href: '/grafana/d/pizza-event-pipeline', description: 'Grafana: stream throughput, consumer lag, retries and dead letters.', icon: Activity },
  { label: 'Application logs dashboard', href: '/grafana/d/pizza-logs', description: 'Grafana + Loki: JSON logs of every service, filterable by order.', icon: ScrollText },
  { label: 'Prometheus', href: '/prometheus/', description: 'Raw metrics and ad-hoc queries (read-only).', icon: Gauge },
];

const API: ToolLink[] = [
  { label: 'API docs', href: '/api/docs', description: 'Interactive REST documentation (Swagger UI).', icon: BookOpen },
  { label: 'OpenAPI document', href: '/api/v1/openapi.json', description: 'The OpenAPI 3 description of the REST API.', icon: FileJson },
  { label: 'AsyncAPI document', href: '/api/v1/asyncapi.json', description: 'The AsyncAPI 3 description of the event streams, consumer groups and dead letters.', icon: FileJson },
];

export function DevToolsPage() {
  useDocumentTitle('Dev tools');
  return (
    <>
      <PageHeader
        title="Dev tools"
        description="Dashboards, API documentation and the live health of the services behind this app. Health refreshes every few seconds."
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="health-heading" className="lg:col-span-2">
          <h2 id="health-heading" className="mb-3 text-xl font-extrabold tracking-tight font-display">
            Service health
          </h2>
          <div className="grid gap-4 md:grid-cols-2">
            <OrderServiceHealth />
            <TrackingSocketHealth />
            <ServiceInstances />
            <div className="min-w-0 md:col-span-2">
              <PipelineView />
            </div>
            <div className="min-w-0 md:col-span-2">
              <OrderJourneyPanel />
            </div>
          </div>
          <p className="mt-3 text-sm text-muted-foreground">
            Embedded topology: one process (<code>pizza-express</code>) runs every service. Distributed topology: every service process,
            replicas included, reports its health every few seconds; an instance that stops reporting drops off the list.
          </p>
        </section>
        <ControlRoom />
        <LinkList id="observability" title="Observability" links={OBSERVABILITY} note="Grafana and Prometheus run in the distributed (Docker) topology." />
        <LinkList id="api" title="API" links={API} />
        <OrderTraceLink />
      </div>
    </>
  );
}

function LinkList({ id, title, links, note }: { id: string; title: string; links: ToolLink[]; note?: string }) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="mb-3 text-xl font-extrabold tracking-tight font-display">
        {title}
      </h2>
      <ul className="grid gap-3">
        {links.map(({ label, href, description, icon: Icon }) => (
          <li key={href}>
            <a
              href={href}
              target="_blank"
              rel="noreferrer"
              className="group flex items-start gap-4 rounded-lg border bg-card p-4 shadow-card transition-colors hover:border-primary/40 hover:bg-accent/40"
            >
              <span className="grid size-10 shrink-0 place-items-center rounded-md bg-secondary text-secondary-foreground" aria-hidden="true">
                <Icon className="size-5" />
              </span>
              <span className="min-w-0 flex-1">
                <span className="flex items-center gap-1.5 font-semibold group-hover:underline">
                  {label}
                  <ExternalLink aria-hidden="true" className="size-3.5 text-muted-foreground" />
                  <span className="sr-only">(opens in a new tab)</span>
                </span>
                <span className="mt-0.5 block text-sm text-muted-foreground">{description}</span>
                <code className="mt-1 block truncate text-xs text-muted-foreground">{href}</code>
              </span>
            </a>
          </li>
        ))}
      </ul>
      {note && <p className="mt-3 text-sm text-muted-foreground">{note}</p>}
    </section>
  );
}

type Tone = 'ok' | 'error' | 'unknown';

function StatusPill({ tone, children }: { tone: Tone; children: string }) {
  return (
    <Badge variant={tone === 'ok' ? 'success' : tone === 'error' ? 'destructive' : 'muted'} className="text-sm">
      <span aria-hidden="true" className="size-2 rounded-full bg-current" />
      {children}
    </Badge>
  );
}

function HealthCard({ title, subtitle, icon: Icon, tone, statusText, children, testId }: {
  title: string;
  subtitle: ReactNode;
  icon: LucideIcon;
  tone: Tone;
  statusText: string;
  children: ReactNode;
  testId: string;
}) {
  return (
    <Card role="region" aria-labelledby={`${testId}-title`} data-testid={testId} data-health={tone}>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
        <div className="flex min-w-0 items-start gap-3">
          <span className={cn('grid size-10 shrink-0 place-items-center rounded-md', tone === 'ok' ? 'bg-success-soft text-success' : tone === 'error' ? 'bg-destructive-soft text-destructive' : 'bg-muted text-muted-foreground')} aria-hidden="true">
            <Icon className="size-5" />
          </span>
          <div className="min-w-0">
            <CardTitle as="h3" id={`${testId}-title`}>
              {title}
            </CardTitle>
            <CardDescription className="mt-1">{subtitle}</CardDescription>
          </div>
        </div>
        <StatusPill tone={tone}>{statusText}</StatusPill>
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

function OrderServiceHealth() {
  const health = useHealthReport();
  const probe = health.data;
  const { tone, text } = describeHealth(probe);
  return (
    <HealthCard
      testId="health-order-service"
      title="Order service"
      subtitle={<code>GET {HEALTH_PATH}</code>}
      icon={Server}
      tone={tone}
      statusText={text}
    >
      {!probe ? (
        <Skeleton className="h-20 w-full" />
      ) : probe.kind === 'unreachable' ? (
        <p className="text-sm text-destructive">No answer: {probe.error}</p>
      ) : probe.kind === 'unexpected' ? (
        <div className="space-y-2 text-sm">
          <p>
            HTTP <span className="font-semibold tabular-nums">{probe.httpStatus}</span> with a body that is not a health report:
          </p>
          <pre className="max-h-28 overflow-auto rounded-md bg-muted p-2 text-xs whitespace-pre-wrap">{probe.body || '(empty)'}</pre>
        </div>
      ) : (
        <div className="space-y-3 text-sm">
          <p className="text-muted-foreground">
            HTTP <span className="font-semibold text-foreground tabular-nums">{probe.httpStatus}</span> · service{' '}
            <code className="font-semibold text-foreground">{probe.report.service}</code> · checked {new Date(probe.checkedAt).toLocaleTimeString()}
          </p>
          <ChecksTable checks={probe.report.checks} />
        </div>
      )}
    </HealthCard>
  );
}

function ServiceInstances() {
  const services = useServicesReport();
  const list = services.data?.services;
  const failing = list?.filter((s) => s.status !== 'ok').length ?? 0;
  const tone: Tone = services.isError ? 'error' : !list ? 'unknown' : failing > 0 ? 'error' : 'ok';
  const statusText = services.isError ? 'Unavailable' : !list ? 'Checking…' : failing > 0 ? `${failing} failing` : `${list.length} ok`;
  return (
    <div className="md:col-span-2">
      <HealthCard
        testId="health-services"
        title="Every service"
        subtitle={<code>GET {SERVICES_PATH}</code>}
        icon={Server}
        tone={tone}
        statusText={statusText}
      >
        {services.isError ? (
          <p className="text-sm text-destructive">{services.error.message}</p>
        ) : !list ? (
          <Skeleton className="h-20 w-full" />
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2">
            {list.map((instance) => (
              <li key={instance.instance} data-service={instance.service} data-status={instance.status} className="min-w-0 rounded-md border p-3 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="font-semibold">{instance.service}</span>
                  <StatusPill tone={instance.status === 'ok' ? 'ok' : 'error'}>{instance.status}</StatusPill>
                </div>
                <p className="mt-1 truncate text-xs text-muted-foreground">
                  <code>{instance.instance}</code> · seen {new Date(instance.at).toLocaleTimeString()}
                </p>
                <p className="mt-1 text-xs text-muted-foreground">
                  {Object.entries(instance.checks)
                    .map(([name, check]) => `${name}: ${check.status}`)
                    .join(' · ') || 'no checks'}
                </p>
              </li>
            ))}
          </ul>
        )}
      </HealthCard>
    </div>
  );
}

function ChecksTable({ checks }: { checks: Record<string, HealthCheck> }) {
  const entries = Object.entries(checks);
  if (entries.length === 0) return <p className="text-muted-foreground">The report lists no checks.</p>;
  return (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">Dependency checks</caption>
      <thead className="text-xs text-muted-foreground uppercase">
        <tr>
          <th scope="col" className="py-1 pr-2 font-semibold">Check</th>
          <th scope="col" className="py-1 pr-2 font-semibold">Status</th>
          <th scope="col" className="py-1 text-right font-semibold">Latency</th>
        </tr>
      </thead>
      <tbody className="divide-y">
        {entries.map(([name, check]) => (
          <tr key={name} data-check={name} data-status={check.status}>
            <th scope="row" className="py-2 pr-2 align-top font-mono font-semibold">
              {name}
            </th>
            <td className="py-2 pr-2 align-top">
              <StatusPill tone={check.status === 'ok' ? 'ok' : 'error'}>{check.status}</StatusPill>
              {check.error && <p className="mt-1 text-xs break-words text-destructive">{check.error}</p>}
            </td>
            <td className="py-2 text-right align-top tabular-nums">{check.latencyMs !== undefined ? formatLatency(check.latencyMs) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TrackingSocketHealth() {
  const socket = useSocketProbe();
  const probe: SocketProbe | undefined = socket.data;
  const tone: Tone = !probe ? 'unknown' : probe.connected ? 'ok' : 'error';
  return (
    <HealthCard
      testId="health-notifications"
      title="Notifications (tracking socket)"
      subtitle={<code>WebSocket /ws/v1/trpc</code>}
      icon={RadioTower}
      tone={tone}
      statusText={!probe ? 'Checking…' : probe.connected ? 'Connected' : 'Not reachable'}
    >
      {!probe ? (
        <Skeleton className="h-10 w-full" />
      ) : probe.connected ? (
        <p className="text-sm text-muted-foreground">
          The WebSocket upgrade succeeded in <span className="font-semibold text-foreground tabular-nums">{probe.latencyMs} ms</span> · checked{' '}
          {new Date(probe.checkedAt).toLocaleTimeString()}
        </p>
      ) : (
        <p className="text-sm text-destructive">
          Could not open the socket: {probe.error} · checked {new Date(probe.checkedAt).toLocaleTimeString()}
        </p>
      )}
    </HealthCard>
  );
}

function describeHealth(probe: HealthProbe | undefined): { tone: Tone; text: string } {
  if (!probe) return { tone: 'unknown', text: 'Checking…' };
  if (probe.kind === 'unreachable') return { tone: 'error', text: 'Unreachable' };
  if (probe.kind === 'unexpected') return { tone: 'error', text: `HTTP ${probe.httpStatus}` };
  return probe.report.status === 'ok' ? { tone: 'ok', text: 'ok' } : { tone: 'error', text: 'error' };
}

function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
