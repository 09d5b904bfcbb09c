import { ROOT_CONTEXT, SpanKind, context, createNoopMeter, trace, type Attributes, type Counter, type Meter, type MeterProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { Metrics } from '../metrics';
import type { Logger } from '../logger';
import { EMBEDDED_SERVICE, type Tracing, type TracingOptions } from './tracing';
import { batchSettings, otlpSettings, samplerFromEnv } from './tracing-env';
import { TRACE_SERVICE_NAMES } from './span-owner';
import { createTraceKit } from './trace-kit';
import { traceBus } from './traced-bus';
import { nameRoute, serveTraced } from './traced-request';
import { traceStorage } from './traced-storage';

/** Loaded only when tracing is on: the SDK, the exporter and the traced ports. */
export function createTracing(options: TracingOptions): Tracing {
  const { env, logger, metrics } = options;
  const embedded = options.service === EMBEDDED_SERVICE;
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || TRACE_SERVICE_NAMES[options.service] || options.service;

  // one context manager per process, shared by every tracing started in it (tests start several)
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

  const { sampler, warning: samplerWarning } = samplerFromEnv(env);
  if (samplerWarning) logger.warn(samplerWarning);
  const batch = batchSettings(env);
  for (const warning of batch.warnings) logger.warn(warning);
  const drops = dropReporter(metrics, logger);
  const exporter = countingDrops(options.exporter ?? otlpExporter(env, logger), drops);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler,
    // a full queue drops spans instead of holding requests (counted through the processor's own
    // self-observability counter); exports never block the caller
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        maxQueueSize: batch.maxQueueSize,
        scheduledDelayMillis: options.exporter && !env.OTEL_BSP_SCHEDULE_DELAY ? 100 : batch.scheduledDelayMillis,
        selfObsMeterProvider: queueDropCounter(drops),
      }),
    ],
  });
  const kit = createTraceKit(provider.getTracer('pizza-express'), embedded);
  let shutdown: Promise<void> | null = null;

  logger.info({ serviceName, exporter: options.exporter ? 'in-process' : otlpSettings(env).url }, 'tracing on');
  return {
    serviceName,
    embedded,
    traceBus: (bus, system) => traceBus(bus, kit, system),
    traceStorage: (storage, system) => traceStorage(storage, kit, system),
    serve: (req, res, run) => serveTraced(kit, req, res, run),
    nameRoute,
    push(orderId, status, send) {
      const parent = context.active();
      const span = kit.start(`push ${status}`, SpanKind.INTERNAL, parent, (attributes) => {
        attributes['pizza.order.id'] = orderId;
        // a push is the notifications service's work, whichever consumer's context it runs in
        if (embedded) attributes['pizza.service'] = 'notifications';
      });
      try {
        const sockets = context.with(trace.setSpan(parent, span), send);
        if (span.isRecording()) span.setAttribute('pizza.sockets', sockets);
      } finally {
        span.end();
      }
    },
    logFields(): Record<string, string> {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    exemplar() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext && spanContext.traceFlags & 1 ? { trace_id: spanContext.traceId } : undefined;
    },
    flush: () => provider.forceFlush(),
    shutdown() {
      shutdown ??= Promise.race([
        provider.shutdown().catch((err: unknown) => logger.warn({ err }, 'tracing shutdown failed')),
        new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref()),
      ]);
      return shutdown;
    },
  };
}

function otlpExporter(env: Record<string, string | undefined>, logger: Logger): SpanExporter {
  const { url, protocol, warning } = otlpSettings(env);
  if (warning) logger.warn(warning);
  const timeoutMillis = 5_000;
  return protocol === 'http/json' ? new JsonExporter({ url, timeoutMillis }) : new ProtobufExporter({ url, timeoutMillis });
}

interface DropReporter {
  dropped(reason: 'export_failed' | 'queue_full', spans: number, err?: unknown): void;
  delivered(): void;
}

/** Counts dropped spans in `otel_spans_dropped_total{reason}`; logs once when dropping starts (per reason) and once when exports recover. */
function dropReporter(metrics: Metrics, logger: Logger): DropReporter {
  const dropping = new Set<string>();
  return {
    dropped(reason, spans, err) {
      metrics.spansDropped.inc({ reason }, spans);
      if (dropping.has(reason)) return;
      dropping.add(reason);
      // outside any span: the export runs in the context of whichever span started its timer, and
      // this line is not about that span's trace
      context.with(ROOT_CONTEXT, () =>
        logger.warn({ err, spans, reason }, reason === 'queue_full' ? 'trace export queue full; spans dropped' : 'trace export failed; spans dropped'),
      );
    },
    delivered() {
      if (dropping.size === 0) return;
      dropping.clear();
      context.with(ROOT_CONTEXT, () => logger.info('trace export recovered'));
    },
  };
}

/** Reports the spans of every failed export as dropped. */
function countingDrops(inner: SpanExporter, drops: DropReporter): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        if (result.code === ExportResultCode.FAILED) drops.dropped('export_failed', spans.length, result.error);
        else drops.delivered();
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/**
 * The batch processor drops a span when its queue is full (exports hanging or failing) and says
 * so only through its self-observability counter `otel.sdk.processor.span.processed` with
 * `error.type` = `queue_full`. This meter provider passes exactly those to the drop count and
 * ignores every other instrument (export failures are counted by the exporter wrapper).
 */
function queueDropCounter(drops: DropReporter): MeterProvider {
  const noop = createNoopMeter();
  const processed: Counter = {
    add(value: number, attributes?: Attributes) {
      if (attributes?.['error.type'] === 'queue_full') drops.dropped('queue_full', value);
    },
  };
  const meter: Meter = Object.assign(Object.create(noop) as Meter, {
    createCounter: (name: string, options?: Parameters<Meter['createCounter']>[1]) =>
      name === 'otel.sdk.processor.span.processed' ? processed : noop.createCounter(name, options),
  });
  return { getMeter: () => meter };
}
