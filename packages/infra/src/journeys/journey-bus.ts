import type { EventBus } from '../bus/event-bus';
import { GROUP_OWNERS, TRACE_SERVICE_NAMES } from '../tracing/span-owner';
import { isoAt, traceIdOf } from './hop-fields';
import type { JourneyStore } from './journey-store';

/**
 * The bus port recording journey hops: `publish` for every event handed to the bus, `process` for
 * every entry a consumer group handled successfully (attempt, time waited in the stream since the
 * entry was added, handler time). Broadcast tails record nothing here (their pushes do). Handlers
 * are unchanged, and recording never fails nor delays them.
 */
export function recordJourneyBus(bus: EventBus, journeys: JourneyStore, instance: string): EventBus {
  return {
    ...bus,
    async publish(stream, envelope) {
      // `at` is when the event was handed over: a consumer may get it before the publish returns
      const handedOver = Date.now();
      const id = await bus.publish(stream, envelope);
      journeys.record(envelope.orderId, {
        at: isoAt(handedOver),
        kind: 'publish',
        service: TRACE_SERVICE_NAMES[envelope.source] ?? envelope.source,
        instance,
        stream,
        eventType: envelope.type,
        ...traceIdOf(envelope),
      });
      return id;
    },
    consume(options) {
      const service = GROUP_OWNERS[options.group] ?? options.group;
      return bus.consume({
        ...options,
        handler: async (message) => {
          const started = Date.now();
          await options.handler(message);
          const { stream, envelope, attempt, entryId } = message;
          const addedAt = Number(entryId.slice(0, entryId.indexOf('-')));
          journeys.record(envelope.orderId, {
            at: isoAt(started),
            kind: 'process',
            service,
            instance,
            stream,
            group: options.group,
            eventType: envelope.type,
            attempt,
            waitedMs: Number.isFinite(addedAt) ? Math.max(0, started - addedAt) : 0,
            tookMs: Date.now() - started,
            ...traceIdOf(envelope),
          });
        },
      });
    },
  };
}
