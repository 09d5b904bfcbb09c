import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { GROUPS, SERVICES, STREAMS, makeEvent, type EventEnvelope } from '@pizza/contracts';
import { MessageAbandoned, type Consumer, type ServiceModule, type ServiceRuntime } from '@pizza/infra';
import { resumeSimulations } from './resume-simulations';
import { delayFor, dueAt, resultEventId, type SimulatorDelays } from './step-plan';

/**
 * The order simulator (simulator-group): each `*.simulate` request is one step. The handler waits
 * until the step is due, publishes the simulated status, and only then is the request acked —
 * so a step pending when the process dies is redone by the next consumer that claims it.
 * `resumeFromStorage` is for the embedded process, whose in-process bus does not survive it.
 */
export function simulatorModule(runtime: ServiceRuntime, options: { resumeFromStorage?: boolean } = {}): ServiceModule {
  const { bus, config, logger, metrics } = runtime;
  const delays: SimulatorDelays = {
    confirm: config.SIM_CONFIRM_DELAY_MS,
    prepare: config.SIM_PREPARE_DELAY_MS,
    pickup: config.SIM_PICKUP_DELAY_MS,
    transit: config.SIM_TRANSIT_DELAY_MS,
  };
  const stopping = new AbortController();
  // every step waiting for its time listens on it: up to SIM_CONCURRENCY at once, not a leak
  setMaxListeners(config.SIM_CONCURRENCY + 10, stopping.signal);
  let consumer: Consumer | null = null;

  const publishStep = async (request: EventEnvelope) => {
    const base = { eventId: resultEventId(request.eventId), orderId: request.orderId, source: SERVICES.simulator };
    if (request.type === 'order.simulate') {
      await bus.publish(STREAMS.orderStatus, makeEvent('order.status_simulated', { ...base, payload: { status: request.payload.next } }));
      metrics.simulatorSteps.inc({ kind: 'order', status: request.payload.next });
    } else if (request.type === 'delivery.simulate') {
      const { deliveryId, next } = request.payload;
      await bus.publish(STREAMS.deliveryStatus, makeEvent('delivery.status_simulated', { ...base, payload: { deliveryId, status: next } }));
      metrics.simulatorSteps.inc({ kind: 'delivery', status: next });
    }
  };

  return {
    async start() {
      consumer = bus.consume({
        streams: [STREAMS.simulateOrder, STREAMS.simulateDelivery],
        group: GROUPS.simulator,
        consumer: runtime.consumerName,
        concurrency: config.SIM_CONCURRENCY,
        handler: async ({ envelope }) => {
          const range = delayFor(envelope, delays);
          if (!range) return;
          const wait = dueAt(envelope, range) - Date.now();
          // on shutdown the wait is cut short and the request stays pending for the next run
          if (wait > 0) {
            await sleep(wait, undefined, { signal: stopping.signal }).catch((err: unknown) => {
              throw stopping.signal.aborted ? new MessageAbandoned('simulator shutting down') : err;
            });
          }
          await publishStep(envelope);
          logger.debug({ orderId: envelope.orderId, eventId: envelope.eventId, type: envelope.type }, 'simulated step published');
        },
      });
      await consumer.ready;
      if (options.resumeFromStorage) await resumeSimulations(runtime);
    },
    async close() {
      stopping.abort();
      await consumer?.close();
    },
  };
}
