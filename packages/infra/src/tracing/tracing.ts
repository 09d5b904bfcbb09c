import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { EventBus } from '../bus/event-bus';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Storage } from '../storage/storage-port';

/**
 * Tracing of one process. Off unless an OTLP endpoint is configured (or a test hands in an
 * exporter): then nothing of the SDK is loaded and no wrapper is installed, so the request and
 * message paths are exactly the untraced ones.
 */
export interface Tracing {
  /** The `service.name` of this process's spans. */
  serviceName: string;
  /** True in the all-in-one process: every span also names its service in `pizza.service`. */
  embedded: boolean;
  /** The bus with `publish {stream}` and `process {stream}` spans and the envelope's trace context. */
  traceBus(bus: EventBus, system: 'redis' | 'in-process'): EventBus;
  /** The storage with a span per unit of work and the trace context written into outbox events. */
  traceStorage(storage: Storage, system: 'sqlite' | 'mongodb'): Storage;
  /** Runs one HTTP request inside its server span (scrapes and health checks are not traced). */
  serve(req: IncomingMessage, res: ServerResponse, run: () => Promise<void>): Promise<void>;
  /** Names the active server span `{METHOD} {route template}` once the route is known. */
  nameRoute(method: string, route: string): void;
  /** A `push {status}` span around sending one state to an order's clients; `send` returns the sockets reached. */
  push(orderId: string, status: string, send: () => number): void;
  /** `{ trace_id, span_id }` of the active span, for log lines. */
  logFields(): Record<string, string>;
  /** `{ trace_id }` of the active sampled span, for a histogram exemplar. */
  exemplar(): Record<string, string> | undefined;
  /** Exports what is buffered (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops exporting; bounded, never throws. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The process's service (`SERVICES.*`, or `pizza-express` for the all-in-one process). */
  service: string;
  /** The `OTEL_*` variables. */
  env: Record<string, string | undefined>;
  logger: Logger;
  metrics: Metrics;
  /** Export here instead of OTLP (tests): turns tracing on whatever the environment says. */
  exporter?: SpanExporter;
}

/** The all-in-one process's `service.name`. */
export const EMBEDDED_SERVICE = 'pizza-express';

/** Whether the environment asks for traces: an OTLP endpoint set and the SDK not disabled. */
export function tracingRequested(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** Starts tracing when requested; null (and nothing loaded) otherwise. */
export async function startTracing(options: TracingOptions): Promise<Tracing | null> {
  if (!options.exporter && !tracingRequested(options.env)) return null;
  const { createTracing } = await import('./tracing-sdk');
  return createTracing(options);
}
