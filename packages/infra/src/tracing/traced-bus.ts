import { SpanKind, SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import { MAX_DELIVERY_ATTEMPTS, type EventEnvelope, type StreamName } from '@pizza/contracts';
import { MessageAbandoned, type BusMessage, type EventBus } from '../bus/event-bus';
import { rememberTraceId } from './message-trace-ids';
import { BROADCAST_OWNER, GROUP_OWNERS, TRACE_SERVICE_NAMES, withOwner } from './span-owner';
import { endingSpan, type TraceKit } from './trace-kit';

/**
 * The bus port with spans: `publish {stream}` (PRODUCER) around every publish, which also writes
 * its own context into the envelope, and `process {stream}` (CONSUMER) around every handled
 * message, a child of the context the envelope carries. Handlers are unchanged.
 */
export function traceBus(bus: EventBus, kit: TraceKit, system: 'redis' | 'in-process'): EventBus {
  const describeEvent = (attributes: Attributes, stream: StreamName, envelope: EventEnvelope) => {
    attributes['messaging.system'] = system;
    attributes['messaging.destination.name'] = stream;
    attributes['pizza.event.type'] = envelope.type;
    attributes['pizza.order.id'] = envelope.orderId;
    attributes['pizza.event.id'] = envelope.eventId;
  };

  const process = (owner: string, group: string | null, handler: (m: BusMessage) => void | Promise<void>) =>
    async (message: BusMessage): Promise<void> => {
      const { stream, envelope, attempt, entryId } = message;
      const parent = withOwner(kit.extract(envelope), owner);
      const span = kit.start(`process ${stream}`, SpanKind.CONSUMER, parent, (attributes) => {
        describeEvent(attributes, stream, envelope);
        if (group) attributes['messaging.consumer.group.name'] = group;
        attributes['messaging.operation.type'] = 'process';
        attributes['messaging.message.id'] = entryId;
        attributes['pizza.attempt'] = attempt;
      });
      if (span.spanContext().traceFlags & 1) rememberTraceId(message, span.spanContext().traceId);
      try {
        await context.with(trace.setSpan(parent, span), () => handler(message));
      } catch (err) {
        if (err instanceof MessageAbandoned) {
          span.addEvent('abandoned', { 'pizza.attempt': attempt });
        } else {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          // mirrors what the bus does next with a failed entry of a group (broadcasts are never retried)
          if (group) span.addEvent(attempt >= MAX_DELIVERY_ATTEMPTS ? 'dead_lettered' : 'retry_scheduled', { 'pizza.attempt': attempt });
        }
        throw err;
      } finally {
        span.end();
      }
    };

  return {
    ...bus,
    async publish(stream, envelope) {
      // the envelope's own context (an outbox row's, written at commit) wins over whatever is active
      const parent = envelope.traceparent ? kit.extract(envelope) : context.active();
      const span = kit.start(
        `publish ${stream}`,
        SpanKind.PRODUCER,
        parent,
        (attributes) => {
          describeEvent(attributes, stream, envelope);
          attributes['messaging.operation.type'] = 'send';
        },
        TRACE_SERVICE_NAMES[envelope.source],
      );
      // the envelope goes out with this span's context (or none, outside any trace)
      const fields = kit.inject(trace.setSpan(parent, span));
      const sent = { ...envelope, traceparent: fields.traceparent, tracestate: fields.tracestate };
      if (sent.traceparent === undefined) delete sent.traceparent;
      if (sent.tracestate === undefined) delete sent.tracestate;
      return endingSpan(span, async () => {
        const id = await bus.publish(stream, sent);
        if (span.isRecording()) span.setAttribute('messaging.message.id', id);
        return id;
      });
    },
    consume(options) {
      const owner = GROUP_OWNERS[options.group] ?? options.group;
      return bus.consume({ ...options, handler: process(owner, options.group, options.handler) });
    },
    subscribe(streams, handler) {
      return bus.subscribe(streams, process(BROADCAST_OWNER, null, handler));
    },
  };
}
