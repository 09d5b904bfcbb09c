import { trace } from '@opentelemetry/api';
import type { EventEnvelope } from '@pizza/contracts';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * `{ traceId }` of the trace a hop belongs to: the one the envelope carries, else the active span's
 * (nothing when tracing is off: no SDK, no span, no traceparent).
 */
export function traceIdOf(envelope?: EventEnvelope): { traceId?: string } {
  const carried = envelope?.traceparent ? TRACEPARENT.exec(envelope.traceparent)?.[1] : undefined;
  const traceId = carried ?? trace.getActiveSpan()?.spanContext().traceId;
  return traceId && !/^0+$/.test(traceId) ? { traceId } : {};
}

export const isoAt = (ms: number): string => new Date(ms).toISOString();
