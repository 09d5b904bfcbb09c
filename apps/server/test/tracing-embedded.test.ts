import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Order } from '@pizza/contracts';
import { EMBEDDED_SERVICE, startService, type RunningService } from '@pizza/infra';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddedModules } from '../src/embedded-modules';
import { openTracking } from '../../../packages/api/src/notifications/tracking-client.fixture';
import { expectOneJourney, renderTrace, type SpanRecord } from './trace-journey';

// The first step waits long enough for the tracking socket to connect; the rest run fast.
const SIM = { SIM_CONFIRM_DELAY_MS: '1000', SIM_PREPARE_DELAY_MS: '20', SIM_PICKUP_DELAY_MS: '20', SIM_TRANSIT_DELAY_MS: '20' };
const exporter = new InMemorySpanExporter();
const SERVER_KIND = 1; // SpanKind.SERVER of @opentelemetry/api
let app: RunningService;
let url: string;

beforeAll(async () => {
  const database = `sqlite:${join(mkdtempSync(join(tmpdir(), 'pizza-trace-')), 'pizza.db')}`;
  app = await startService({
    service: EMBEDDED_SERVICE,
    defaultPort: 0,
    env: { ...SIM, DATABASE_URL: database, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' },
    traceExporter: exporter,
    modules: embeddedModules,
  });
  url = `http://127.0.0.1:${app.port}`;
});
afterAll(async () => {
  await app?.stop();
});

function record(span: ReadableSpan): SpanRecord {
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    service: String(span.attributes['pizza.service']),
    attributes: span.attributes,
    events: span.events.map((e) => e.name),
    error: span.status.code === 2,
    startMs: ms(span.startTime),
    durationMs: ms(span.duration),
  };
}

describe('tracing in the all-in-one process', () => {
  it('one simulated order is one trace from the POST to delivered, with spans of every service in parent/child order', async () => {
    const res = await fetch(`${url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: '00-garbage-01' },
      body: JSON.stringify({ customer: { name: 'Grace Hopper', phone: '555-0100-22', address: '1 Compiler Lane' }, items: [{ menuItemId: 'cola', quantity: 1 }] }),
    });
    expect(res.status).toBe(201); // a malformed traceparent only starts a new trace
    const order = (await res.json()) as Order;
    const client = openTracking(`ws://127.0.0.1:${app.port}/ws/v1/order-tracking/${order.id}`);
    try {
      await vi.waitFor(() => expect(client.statuses().at(-1)?.status).toBe('delivered'), { timeout: 30_000, interval: 50 });
      await vi.waitFor(
        async () => {
          await app.runtime.tracing!.flush();
          expectOneJourney(exporter.getFinishedSpans().map(record), order.id);
        },
        { timeout: 15_000, interval: 200 },
      );
      const trace = expectOneJourney(exporter.getFinishedSpans().map(record), order.id);
      expect(trace.every((s) => s.service !== 'undefined')).toBe(true);
      // the request duration histogram links a bucket of POST /api/v1/orders to this trace (OpenMetrics exemplar)
      const metricsRes = await fetch(`${url}/metrics`);
      expect(metricsRes.headers.get('content-type')).toContain('application/openmetrics-text');
      const buckets = (await metricsRes.text()).split('\n').filter((l) => l.startsWith('http_request_duration_seconds_bucket{') && l.includes('route="/api/v1/orders"'));
      expect(buckets.some((l) => l.includes(`# {trace_id="${trace[0]!.traceId}"}`))).toBe(true);
      console.info(`embedded trace of order ${order.id}:\n${renderTrace(trace)}`);
    } finally {
      client.ws.terminate();
    }
  });

  it('names HTTP server spans by route template, never by a raw id: {METHOD} {template} with http.route, or the bare method when no route matched', async () => {
    const res = await fetch(`${url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: { name: 'Ada Lovelace', phone: '555-0100-23', address: '2 Engine Row' }, items: [{ menuItemId: 'cola', quantity: 1 }] }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as Order;
    const paths = { rest: `/api/v1/orders/${id}`, spa: `/orders/${id}`, unmatched: `/api/v1/no-such-thing/${id}` };
    for (const path of Object.values(paths)) await (await fetch(`${url}${path}`)).arrayBuffer();
    const serverSpan = (path: string) => exporter.getFinishedSpans().find((span) => span.kind === SERVER_KIND && span.attributes['url.path'] === path);
    await vi.waitFor(
      async () => {
        await app.runtime.tracing!.flush();
        for (const path of Object.values(paths)) expect(serverSpan(path), path).toBeDefined();
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(serverSpan(paths.rest)!.name).toBe('GET /api/v1/orders/{id}');
    expect(serverSpan(paths.rest)!.attributes['http.route']).toBe('/api/v1/orders/{id}');
    expect(serverSpan(paths.spa)!.name).toBe('GET /{spa}');
    expect(serverSpan(paths.unmatched)!.name).toBe('GET');
    expect(serverSpan(paths.unmatched)!.attributes['http.route']).toBeUndefined();
    expect(serverSpan(paths.unmatched)!.attributes['http.response.status_code']).toBe(404);
    const named = exporter.getFinishedSpans().filter((span) => span.kind === SERVER_KIND);
    expect(named.filter((span) => span.name.includes(id) || String(span.attributes['http.route'] ?? '').includes(id)).map((span) => span.name)).toEqual([]);
  });
});
