import { SERVICES } from '@pizza/contracts';
import type { Storage } from '../storage/storage-port';
import { TRACE_SERVICE_NAMES } from '../tracing/span-owner';
import { isoAt, traceIdOf } from './hop-fields';
import type { JourneyStore } from './journey-store';

/** The storage port recording a `commit` hop when an order is stored (a replayed Idempotency-Key is not a commit). */
export function recordJourneyStorage(storage: Storage, journeys: JourneyStore, instance: string): Storage {
  const service = TRACE_SERVICE_NAMES[SERVICES.order] ?? SERVICES.order;
  const placeOrder: Storage['placeOrder'] = async (request) => {
    const result = await storage.placeOrder(request);
    if (result.kind === 'created') {
      journeys.record(result.order.id, { at: isoAt(Date.now()), kind: 'commit', service, instance, ...traceIdOf() });
    }
    return result;
  };
  // every other method as it is (adapters may be class instances: keep their `this`)
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'placeOrder') return placeOrder;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
