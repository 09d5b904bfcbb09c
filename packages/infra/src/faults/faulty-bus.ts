import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBus } from '../bus/event-bus';
import type { FaultStore } from './fault-store';

export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

/**
 * The event bus with the operator's faults applied at the port, in every process that uses it:
 * consumer delay and failure rate for one group, a paused outbox (publishing refused for one
 * source, so the relay keeps its rows and retries), delayed pushes (broadcast tails), and a bus
 * outage (publishing refused, consumers stalled until it ends).
 */
export function withFaults(bus: EventBus, faults: FaultStore, random: () => number = Math.random): EventBus {
  const outage = () => {
    const fault = faults.active('bus-outage');
    return fault ? new InjectedFault(`simulated bus outage (bus-outage fault, ${fault.seconds} s)`) : null;
  };
  const waitOutOutage = async () => {
    // bounded: the outage lasts at most 60 s and the check expires with the fault
    for (let i = 0; i < 600 && faults.active('bus-outage'); i++) await sleep(100);
  };

  return {
    ...bus,
    async publish(stream, envelope) {
      const down = outage();
      if (down) throw down;
      const paused = faults.active('outbox-pause');
      if (paused && paused.service === envelope.source) throw new InjectedFault(`outbox of ${paused.service} paused (outbox-pause fault)`);
      return bus.publish(stream, envelope);
    },
    consume(options) {
      return bus.consume({
        ...options,
        handler: async (message) => {
          await waitOutOutage();
          const delay = faults.active('consumer-delay');
          if (delay && delay.group === options.group) await sleep(delay.delayMs);
          const failure = faults.active('consumer-failure');
          if (failure && failure.group === options.group && random() < failure.rate) {
            throw new InjectedFault(`injected failure (consumer-failure fault on ${options.group}, rate ${failure.rate})`);
          }
          return options.handler(message);
        },
      });
    },
    subscribe(streams, handler) {
      return bus.subscribe(streams, async (message) => {
        const delay = faults.active('push-delay');
        if (delay) await sleep(delay.delayMs);
        return handler(message);
      });
    },
  };
}
