import { expect } from 'vitest';

/** One span as the journey assertions see it, whichever way it was collected (in memory or over OTLP). */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** `service.name`, or `pizza.service` in the all-in-one process. */
  service: string;
  attributes: Record<string, unknown>;
  events: string[];
  error: boolean;
  startMs: number;
  durationMs: number;
}

export const JOURNEY_SERVICES = ['order-service', 'simulator', 'delivery', 'notifications'];

/**
 * Checks one order's journey: the POST span roots one trace that holds every span about the
 * order, spans of all four services, a connected parent/child tree, every `process X` a child of
 * a `publish X`, a `push delivered`, and pushes that reached the client's socket. Returns that trace's spans.
 */
export function expectOneJourney(all: SpanRecord[], orderId: string): SpanRecord[] {
  const post = all.find((s) => s.name === 'POST /api/v1/orders' && s.attributes['http.response.status_code'] === 201);
  expect(post, 'a POST /api/v1/orders server span').toBeDefined();
  const trace = all.filter((s) => s.traceId === post!.traceId);
  const aboutOrder = all.filter((s) => s.attributes['pizza.order.id'] === orderId);
  expect(aboutOrder.length).toBeGreaterThan(5);
  expect(aboutOrder.filter((s) => s.traceId !== post!.traceId).map((s) => s.name)).toEqual([]);

  expect(post!.parentSpanId).toBeUndefined();
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const orphans = trace.filter((s) => s !== post && !byId.has(s.parentSpanId ?? ''));
  expect(orphans.map((s) => s.name), 'spans whose parent is not in the trace').toEqual([]);

  expect(new Set(trace.map((s) => s.service))).toEqual(new Set(JOURNEY_SERVICES));
  for (const process of trace.filter((s) => s.name.startsWith('process '))) {
    const parent = byId.get(process.parentSpanId!)!;
    expect(parent.name, `parent of ${process.name}`).toBe(process.name.replace('process ', 'publish '));
  }
  expect(trace.some((s) => s.name === 'push delivered')).toBe(true);
  // the client connects after the POST: the pushes from then on reach its socket
  expect(trace.some((s) => s.name.startsWith('push ') && Number(s.attributes['pizza.sockets']) >= 1)).toBe(true);
  expect(trace.some((s) => s.name === 'storage placeOrder' && s.parentSpanId === post!.spanId)).toBe(true);
  return trace;
}

/** The trace as an indented tree, one line per span: name [service] duration. */
export function renderTrace(trace: SpanRecord[]): string {
  const children = new Map<string | undefined, SpanRecord[]>();
  const ids = new Set(trace.map((s) => s.spanId));
  for (const span of trace) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      const attempt = span.attributes['pizza.attempt'];
      const extra = attempt !== undefined ? ` attempt=${String(attempt)}` : span.attributes['pizza.sockets'] !== undefined ? ` sockets=${String(span.attributes['pizza.sockets'])}` : '';
      lines.push(`${'  '.repeat(depth)}${span.name} [${span.service}] ${span.durationMs.toFixed(1)} ms${extra}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
