import { SERVICES } from '@pizza/contracts';
import { TRACE_SERVICE_NAMES } from '../tracing/span-owner';
import { isoAt, traceIdOf } from './hop-fields';
import type { JourneyStore } from './journey-store';

/** Sends one state of an order to its clients in this process; `send` returns the sockets reached. */
export type PushFanOut = (orderId: string, status: string, send: () => number) => void;

/** A fan-out that also records a `push` hop with the sockets reached (inside the push span when traced). */
export function recordJourneyPush(journeys: JourneyStore, instance: string, inner: PushFanOut = (_o, _s, send) => void send()): PushFanOut {
  const service = TRACE_SERVICE_NAMES[SERVICES.notifications] ?? SERVICES.notifications;
  return (orderId, status, send) =>
    inner(orderId, status, () => {
      const sockets = send();
      journeys.record(orderId, { at: isoAt(Date.now()), kind: 'push', service, instance, sockets, ...traceIdOf() });
      return sockets;
    });
}
