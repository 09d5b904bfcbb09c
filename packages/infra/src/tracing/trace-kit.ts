import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ownerOf } from './span-owner';

/** What the traced ports share: the tracer, W3C context in and out of carriers, span ownership. */
export interface TraceKit {
  tracer: Tracer;
  /** True in the all-in-one process (spans carry `pizza.service`). */
  embedded: boolean;
  /** The context a carrier (headers, envelope) names; the root context when it names none or a malformed one. */
  extract(carrier: Record<string, unknown>): Context;
  /** `traceparent` (and `tracestate`) of a context's span; empty when it has none. */
  inject(ctx: Context): { traceparent?: string; tracestate?: string };
  /**
   * Starts a span in `parent`. Its attributes (`describe` fills them in; in the all-in-one process
   * `pizza.service` is added unless `describe` set it) are made only when the span records: a
   * span the sampler dropped costs no attribute work. `owner` names the service when the context
   * does not.
   */
  start(name: string, kind: SpanKind, parent: Context, describe: (attributes: Attributes) => void, owner?: string): Span;
}

export function createTraceKit(tracer: Tracer, embedded: boolean): TraceKit {
  const propagator = new W3CTraceContextPropagator();
  const getter = {
    keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
    get: (carrier: Record<string, unknown>, key: string) => {
      const value = carrier[key];
      return typeof value === 'string' ? value : undefined;
    },
  };
  return {
    tracer,
    embedded,
    extract: (carrier) => propagator.extract(ROOT_CONTEXT, carrier, getter),
    inject(ctx) {
      const out: { traceparent?: string; tracestate?: string } = {};
      if (!trace.getSpanContext(ctx)) return out;
      propagator.inject(ctx, out, { set: (c, key, value) => ((c as Record<string, string>)[key] = value) });
      return out;
    },
    start(name, kind, parent, describe, owner) {
      const span = tracer.startSpan(name, { kind }, parent);
      if (!span.isRecording()) return span;
      const attributes: Attributes = {};
      describe(attributes);
      if (embedded && attributes['pizza.service'] === undefined) {
        const service = ownerOf(parent) ?? owner;
        if (service) attributes['pizza.service'] = service;
      }
      span.setAttributes(attributes);
      return span;
    },
  };
}

/** Awaits `work`; a throw marks the span failed (status, exception) and is rethrown; the span always ends. */
export async function endingSpan<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
