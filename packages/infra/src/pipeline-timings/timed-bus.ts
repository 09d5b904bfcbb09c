import { performance } from 'node:perf_hooks';
import { GROUPS, SERVICES, type StreamName } from '@pizza/contracts';
import { MessageAbandoned, type BusMessage, type EventBus } from '../bus/event-bus';
import type { HandlerRecorder, HandlerTimings } from './handler-timings';

/** The service that consumes as each group (the all-in-one process runs them all); broadcast tails are the notifications replicas. */
const GROUP_SERVICES: Record<string, string> = {
  [GROUPS.orders]: SERVICES.order,
  [GROUPS.delivery]: SERVICES.delivery,
  [GROUPS.simulator]: SERVICES.simulator,
};

/**
 * The bus port with the pipeline's live numbers measured: every publish counted per stream and
 * source, every handler run timed per stream and group (or broadcast tail). Only in-memory
 * counters on the hot path; handlers are unchanged. A run that throws `MessageAbandoned`
 * (shutdown) is not counted.
 */
export function timeBus(bus: EventBus, timings: HandlerTimings, service: string): EventBus {
  const timed = (recorders: Map<StreamName, HandlerRecorder>, handler: (message: BusMessage) => void | Promise<void>) =>
    async (message: BusMessage): Promise<void> => {
      const start = performance.now();
      try {
        await handler(message);
        recorders.get(message.stream)?.(performance.now() - start, true);
      } catch (err) {
        if (!(err instanceof MessageAbandoned)) recorders.get(message.stream)?.(performance.now() - start, false);
        throw err;
      }
    };
  const recordersFor = (streams: readonly StreamName[], group: string | null, owner: string) =>
    new Map(streams.map((stream) => [stream, timings.reader(stream, group, owner)] as const));

  return {
    ...bus,
    async publish(stream, envelope) {
      const id = await bus.publish(stream, envelope);
      timings.published(stream, envelope.source);
      return id;
    },
    consume(options) {
      const recorders = recordersFor(options.streams, options.group, GROUP_SERVICES[options.group] ?? service);
      return bus.consume({ ...options, handler: timed(recorders, options.handler) });
    },
    subscribe(streams, handler) {
      return bus.subscribe(streams, timed(recordersFor(streams, null, SERVICES.notifications), handler));
    },
  };
}
