import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { MAX_DELIVERY_ATTEMPTS, STREAMS } from '@pizza/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { orderCreated } from '../bus/bus.contract';
import { createMemoryBus } from '../bus/memory-bus';
import { createRedisBus } from '../bus/redis-bus';
import { startRedisServer } from '../testing/redis-server';
import type { BusMessage, EventBus } from '../bus/event-bus';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { newOrderRequest } from '../outbox/fixtures/new-order-request';
import { createOutboxRelay } from '../outbox/outbox-relay';
import { createSqliteStorage } from '../storage/sqlite-storage';
import { startTracing, type Tracing } from './tracing';

const logger = createLogger('tracing-test', 'silent');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

type Adapter = 'in-process' | 'redis';

async function tracedBus(adapter: Adapter = 'in-process') {
  const exporter = new InMemorySpanExporter();
  const metrics = createMetrics('tracing-test', { exemplars: true });
  const tracing = (await startTracing({ service: 'delivery-service', env: {}, logger, metrics, exporter }))!;
  let raw: EventBus;
  let redisUrl = '';
  if (adapter === 'redis') {
    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    redisUrl = server.url;
    raw = createRedisBus({ url: server.url, logger, metrics, claimIdleMs: 100 });
  } else {
    raw = createMemoryBus({ logger, metrics, claimIdleMs: 100 });
  }
  const bus = tracing.traceBus(raw, adapter);
  cleanups.push(() => tracing.shutdown(), () => bus.close());
  const spans = async (): Promise<ReadableSpan[]> => {
    await tracing.flush();
    return exporter.getFinishedSpans();
  };
  return { bus, tracing, metrics, spans, redisUrl };
}

async function consumeFailing(bus: EventBus, failUntil: number): Promise<BusMessage[]> {
  const seen: BusMessage[] = [];
  const consumer = bus.consume({
    streams: [STREAMS.orders],
    group: 'delivery-group',
    handler: async (message) => {
      seen.push(message);
      if (message.attempt <= failUntil) throw new Error(`fails on attempt ${message.attempt}`);
    },
  });
  await consumer.ready;
  return seen;
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('traced bus', () => {
  it('a consumer span is a child of the publish span whose context the envelope carries, with the SPEC attributes', async () => {
    const { bus, spans } = await tracedBus();
    await consumeFailing(bus, 0);
    const event = orderCreated();
    const entryId = await bus.publish(STREAMS.orders, event);
    await vi.waitFor(async () => expect(named(await spans(), 'process orders-stream')).toHaveLength(1), { timeout: 10_000 });
    const [publish] = named(await spans(), 'publish orders-stream');
    const [process] = named(await spans(), 'process orders-stream');
    expect(process!.spanContext().traceId).toBe(publish!.spanContext().traceId);
    expect(parentOf(process!)).toBe(publish!.spanContext().spanId);
    expect(process!.attributes).toMatchObject({
      'messaging.system': 'in-process',
      'messaging.destination.name': 'orders-stream',
      'messaging.consumer.group.name': 'delivery-group',
      'messaging.message.id': entryId,
      'pizza.attempt': 1,
      'pizza.event.type': 'order.created',
      'pizza.order.id': event.orderId,
      'pizza.event.id': event.eventId,
    });
    expect(publish!.attributes).toMatchObject({ 'messaging.destination.name': 'orders-stream', 'pizza.order.id': event.orderId });
  });

  it.each([
    [{}, 'delivery'],
    [{ OTEL_SERVICE_NAME: 'delivery-eu-west' }, 'delivery-eu-west'],
  ] as const)('service.name of the delivery service with %o is %s', async (env, expected) => {
    const exporter = new InMemorySpanExporter();
    const metrics = createMetrics('tracing-test');
    const tracing = (await startTracing({ service: 'delivery-service', env, logger, metrics, exporter }))!;
    const bus = tracing.traceBus(createMemoryBus({ logger, metrics }), 'in-process');
    cleanups.push(() => tracing.shutdown(), () => bus.close());
    await bus.publish(STREAMS.orders, orderCreated());
    await tracing.flush();
    expect(tracing.serviceName).toBe(expected);
    expect(exporter.getFinishedSpans().map((span) => span.resource.attributes['service.name'])).toEqual([expected]);
  });

  it.each(['in-process', 'redis'] as const)('%s: a redelivered message shows both attempts: the failed one with an error status and a retry event', async (adapter) => {
    const { bus, spans } = await tracedBus(adapter);
    await consumeFailing(bus, 1);
    await bus.publish(STREAMS.orders, orderCreated());
    await vi.waitFor(async () => expect(named(await spans(), 'process orders-stream')).toHaveLength(2), { timeout: 10_000 });
    const [first, second] = named(await spans(), 'process orders-stream').sort((a, b) => Number(a.attributes['pizza.attempt']) - Number(b.attributes['pizza.attempt']));
    expect([first!.attributes['pizza.attempt'], second!.attributes['pizza.attempt']]).toEqual([1, 2]);
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(first!.events.map((e) => e.name)).toEqual(['exception', 'retry_scheduled']);
    expect(second!.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(parentOf(first!)).toBe(parentOf(second!));
  });

  it.each(['in-process', 'redis'] as const)('%s: a dead-lettered message shows every attempt, the last one marked dead_lettered', async (adapter) => {
    const { bus, spans } = await tracedBus(adapter);
    await consumeFailing(bus, Infinity);
    await bus.publish(STREAMS.orders, orderCreated());
    await vi.waitFor(async () => expect(named(await spans(), 'process orders-stream')).toHaveLength(MAX_DELIVERY_ATTEMPTS), { timeout: 15_000 });
    const attempts = named(await spans(), 'process orders-stream').sort((a, b) => Number(a.attributes['pizza.attempt']) - Number(b.attributes['pizza.attempt']));
    expect(attempts.map((s) => s.attributes['pizza.attempt'])).toEqual([1, 2, 3]);
    expect(attempts.every((s) => s.status.code === SpanStatusCode.ERROR)).toBe(true);
    expect(attempts.at(-1)!.events.map((e) => e.name)).toContain('dead_lettered');
    expect(attempts[0]!.events.map((e) => e.name)).not.toContain('dead_lettered');
  });

  it('a malformed traceparent in an envelope starts a new trace and the message is handled', async () => {
    const { bus, spans } = await tracedBus();
    const seen = await consumeFailing(bus, 0);
    await bus.publish(STREAMS.orders, { ...orderCreated(), traceparent: '00-not-a-trace-01' });
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(async () => expect(named(await spans(), 'process orders-stream')).toHaveLength(1), { timeout: 10_000 });
    const [publish] = named(await spans(), 'publish orders-stream');
    expect(publish!.parentSpanContext).toBeUndefined();
    expect(publish!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('redis: an entry written by another producer with a malformed or an oversized trace context is handled in a new trace', async () => {
    const { bus, spans, redisUrl, metrics } = await tracedBus('redis');
    const seen = await consumeFailing(bus, 0);
    const redis = new Redis(redisUrl);
    cleanups.push(async () => void redis.disconnect());
    const garbage = { ...orderCreated(), traceparent: '00-not-a-trace-01', tracestate: 'x' };
    const oversized = { ...orderCreated(), traceparent: `00-${'f'.repeat(600)}-01`, tracestate: 'k='.padEnd(2000, 'v') };
    await redis.xadd(STREAMS.orders, '*', 'data', JSON.stringify(garbage));
    await redis.xadd(STREAMS.orders, '*', 'data', JSON.stringify(oversized));
    await vi.waitFor(() => expect(seen.map((m) => m.envelope.eventId).sort()).toEqual([garbage.eventId, oversized.eventId].sort()), { timeout: 10_000 });
    await vi.waitFor(async () => expect(named(await spans(), 'process orders-stream')).toHaveLength(2), { timeout: 10_000 });
    const processed = named(await spans(), 'process orders-stream');
    expect(processed.map((s) => s.parentSpanContext)).toEqual([undefined, undefined]);
    expect(processed.map((s) => s.status.code)).not.toContain(SpanStatusCode.ERROR);
    expect((await metrics.streamDlq.get()).values.reduce((sum, v) => sum + v.value, 0)).toBe(0);
  });

  it('the stream duration histogram carries the trace id of a handled message as an exemplar', async () => {
    const { bus, metrics, spans } = await tracedBus();
    await consumeFailing(bus, 0);
    await bus.publish(STREAMS.orders, orderCreated());
    await vi.waitFor(async () => expect(named(await spans(), 'process orders-stream')).toHaveLength(1), { timeout: 10_000 });
    const [process] = named(await spans(), 'process orders-stream');
    const text = await metrics.registry.metrics();
    expect(text).toContain(`# {trace_id="${process!.spanContext().traceId}"}`);
  });
});

describe('trace context through the outbox', () => {
  it('an outbox row keeps the trace of its transaction, and a relay started later publishes into that trace', async () => {
    const { bus, tracing, spans } = await tracedBus();
    const storage = createSqliteStorage(join(mkdtempSync(join(tmpdir(), 'pizza-trace-')), 'pizza.db'));
    await storage.init();
    cleanups.push(() => storage.close());
    const traced = tracing.traceStorage(storage, 'sqlite');
    const { request } = newOrderRequest();
    // the request's own span, as the HTTP server would start it
    await tracing.serve(
      fakeRequest(),
      fakeResponse(),
      async () => void (await traced.placeOrder(request)),
    );
    const [row] = await storage.pendingOutbox('order-service', 10);
    expect(row!.envelope.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = row!.envelope.traceparent!.split('-')[1];

    // "after a crash": a fresh relay, no span active, publishes the row
    const relay = createOutboxRelay({ storage: traced, bus, source: 'order-service', logger, metrics: createMetrics('relay') });
    await relay.flush();
    await relay.close();
    const publishes = (await spans()).filter((s) => s.name.startsWith('publish '));
    expect(publishes.length).toBeGreaterThan(0);
    expect(publishes.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    const transaction = named(await spans(), 'storage placeOrder')[0]!;
    expect(publishes.every((s) => parentOf(s) === transaction.spanContext().spanId)).toBe(true);
  });
});

describe('trace context with group commit', () => {
  it('orders placed in one event-loop turn (one SQLite transaction) each keep the trace of their own request', async () => {
    const { tracing } = await tracedBus();
    const storage = createSqliteStorage(join(mkdtempSync(join(tmpdir(), 'pizza-trace-')), 'pizza.db'));
    await storage.init();
    cleanups.push(() => storage.close());
    const traced = tracing.traceStorage(storage, 'sqlite');
    const placed: string[] = [];
    // three requests whose placeOrder calls land in the same turn, so they share one batch
    await Promise.all(
      [0, 1, 2].map(() =>
        tracing.serve(fakeRequest(), fakeResponse(), async () => {
          const result = await traced.placeOrder(newOrderRequest().request);
          if (result.kind === 'created') placed.push(result.order.id);
        }),
      ),
    );
    expect(placed).toHaveLength(3);
    const rows = await storage.pendingOutbox('order-service', 50);
    const traceOf = new Map<string, Set<string>>();
    for (const row of rows) {
      const traces = traceOf.get(row.envelope.orderId) ?? new Set<string>();
      traces.add(row.envelope.traceparent!.split('-')[1]!);
      traceOf.set(row.envelope.orderId, traces);
    }
    expect([...traceOf.values()].map((traces) => traces.size)).toEqual([1, 1, 1]);
    expect(new Set([...traceOf.values()].map((traces) => [...traces][0])).size).toBe(3);
  });
});

describe('an unreachable OTLP endpoint', () => {
  /** A collector that accepts connections and never answers: every export hangs until its timeout. */
  async function hangingCollector(): Promise<string> {
    const sockets = new Set<Socket>();
    const server = createServer(() => undefined);
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  const dropped = async (metrics: ReturnType<typeof createMetrics>, reason: string) =>
    (await metrics.spansDropped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  it('never holds up publishing and counts the spans it could not deliver', async () => {
    const metrics = createMetrics('tracing-test', { exemplars: true });
    const tracing = (await startTracing({ service: 'delivery-service', env: { OTEL_EXPORTER_OTLP_ENDPOINT: await hangingCollector() }, logger, metrics })) as Tracing;
    const bus = tracing.traceBus(createMemoryBus({ logger, metrics }), 'in-process');
    cleanups.push(() => tracing.shutdown(), () => bus.close());
    await bus.publish(STREAMS.orders, orderCreated());
    const exporting = tracing.flush().catch(() => undefined); // the export of that span starts and hangs
    for (let i = 0; i < 20; i++) await bus.publish(STREAMS.orders, orderCreated());
    // every publish resolved while the export still hung: nothing has been counted as dropped yet
    expect(await dropped(metrics, 'export_failed')).toBe(0);
    await exporting;
    await tracing.flush().catch(() => undefined);
    await vi.waitFor(async () => expect(await dropped(metrics, 'export_failed')).toBe(21), { timeout: 30_000, interval: 200 });
    expect(await dropped(metrics, 'queue_full')).toBe(0);
  });

  it('logs a failed export once, outside the trace of the span whose end started the export', async () => {
    // a port nothing listens on: every export fails at once (connection refused)
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const warnings: { msg: string; activeSpan: boolean }[] = [];
    const watched = createLogger('tracing-test', 'silent');
    watched.warn = ((fields: unknown, msg: string) => void warnings.push({ msg, activeSpan: trace.getActiveSpan() !== undefined })) as typeof watched.warn;
    const metrics = createMetrics('tracing-test', { exemplars: true });
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '20' };
    const tracing = (await startTracing({ service: 'delivery-service', env, logger: watched, metrics })) as Tracing;
    const bus = tracing.traceBus(createMemoryBus({ logger, metrics }), 'in-process');
    cleanups.push(() => tracing.shutdown(), () => bus.close());
    // spans end inside a request's span, so the batch timer starts (and the export runs) in its context
    await tracing.serve(fakeRequest(), fakeResponse(), async () => {
      await bus.publish(STREAMS.orders, orderCreated());
      await bus.publish(STREAMS.orders, orderCreated());
    });
    await vi.waitFor(async () => expect(await dropped(metrics, 'export_failed')).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 100 });
    expect(warnings).toEqual([{ msg: 'trace export failed; spans dropped', activeSpan: false }]);
  });

  it('counts the spans that did not fit in the export queue while an export hung (OTEL_BSP_MAX_QUEUE_SIZE)', async () => {
    const metrics = createMetrics('tracing-test', { exemplars: true });
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: await hangingCollector(), OTEL_BSP_MAX_QUEUE_SIZE: '5' };
    const tracing = (await startTracing({ service: 'delivery-service', env, logger, metrics })) as Tracing;
    const bus = tracing.traceBus(createMemoryBus({ logger, metrics }), 'in-process');
    cleanups.push(() => tracing.shutdown(), () => bus.close());
    // 20 publish spans: the first 5 fill a batch whose export starts at once and hangs, the next 5
    // fill the queue again, the last 10 find it full; every publish still resolves
    for (let i = 0; i < 20; i++) await bus.publish(STREAMS.orders, orderCreated());
    expect(await dropped(metrics, 'queue_full')).toBe(10);
    expect(await dropped(metrics, 'export_failed')).toBe(0);
    await tracing.flush().catch(() => undefined);
    // both batches fail when their exports time out
    await vi.waitFor(async () => expect(await dropped(metrics, 'export_failed')).toBe(10), { timeout: 30_000, interval: 200 });
  });
});

function fakeRequest() {
  return { url: '/api/v1/orders', method: 'POST', headers: {} } as never;
}

function fakeResponse() {
  const listeners: (() => void)[] = [];
  return { statusCode: 201, writableFinished: true, once: (_: string, fn: () => void) => listeners.push(fn) } as never;
}
