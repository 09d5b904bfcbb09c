import { SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { Metrics } from '../metrics';
import type { Logger } from '../logger';
import { EMBEDDED_SERVICE, type Tracing, type TracingOptions } from './tracing';
import { otlpSettings, samplerFromEnv } from './tracing-env';
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
  const exporter = countingDrops(options.exporter ?? otlpExporter(env, logger), metrics, logger);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler,
    // a full queue drops spans instead of holding requests; exports never block the caller
    spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 4096, scheduledDelayMillis: options.exporter ? 100 : 1000 })],
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
      const span = kit.tracer.startSpan(`push ${status}`, {
        kind: SpanKind.INTERNAL,
        attributes: { 'pizza.order.id': orderId, ...(embedded ? { 'pizza.service': 'notifications' } : {}) },
      });
      try {
        span.setAttribute('pizza.sockets', context.with(trace.setSpan(context.active(), span), send));
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

/** Counts the spans of every failed export (`otel_spans_dropped_total`) and logs when exporting starts or stops failing. */
function countingDrops(inner: SpanExporter, metrics: Metrics, logger: Logger): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        if (result.code === ExportResultCode.FAILED) {
          metrics.spansDropped.inc(spans.length);
          if (!failing) logger.warn({ err: result.error, spans: spans.length }, 'trace export failed; spans dropped');
          failing = true;
        } else if (failing) {
          failing = false;
          logger.info('trace export recovered');
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
