import { SpanKind, context, trace } from '@opentelemetry/api';
import type { EventEnvelope } from '@pizza/contracts';
import type { Decide, Storage } from '../storage/storage-port';
import { endingSpan, type TraceKit } from './trace-kit';

/**
 * The storage port with a span per unit of work (`storage {method}`, only inside a trace: the
 * relay's background passes are not traced). The events a transaction writes to the outbox carry
 * its trace context, so whoever publishes them later (even a relay after a crash) continues it.
 */
export function traceStorage(storage: Storage, kit: TraceKit, system: string): Storage {
  // The trace context is taken when the caller asks, not when the adapter runs the work: a SQLite
  // group commit runs the work of several callers later, in the context of the first of them.
  const stamper = () => {
    const fields = kit.inject(context.active());
    return (events: EventEnvelope[]): EventEnvelope[] => (fields.traceparent ? events.map((event) => ({ ...event, ...fields })) : events);
  };
  const stamped = <In, Out>(decide: Decide<In, Out>): Decide<In, Out> => {
    const stamp = stamper();
    return (current) => {
      const decision = decide(current);
      return decision && { ...decision, events: stamp(decision.events) };
    };
  };

  const spanned = <T>(method: string, run: () => Promise<T>): Promise<T> => {
    const parent = context.active();
    if (!trace.getSpan(parent)) return run();
    const span = kit.start(`storage ${method}`, SpanKind.INTERNAL, parent, (attributes) => {
      attributes['db.system.name'] = system;
      attributes['db.operation.name'] = method;
    });
    return context.with(trace.setSpan(parent, span), () => endingSpan(span, run));
  };

  return {
    init: () => storage.init(),
    ping: () => storage.ping(),
    close: () => storage.close(),
    listMenu: () => spanned('listMenu', () => storage.listMenu()),
    getMenuItem: (id) => spanned('getMenuItem', () => storage.getMenuItem(id)),
    setStock: (id, stock) => spanned('setStock', () => storage.setStock(id, stock)),
    placeOrder: (request) =>
      spanned('placeOrder', () => {
        const stamp = stamper();
        return storage.placeOrder({ ...request, events: (order) => stamp(request.events(order)) });
      }),
    getOrder: (id) => spanned('getOrder', () => storage.getOrder(id)),
    listSimulatedOrdersInProgress: (limit) => storage.listSimulatedOrdersInProgress(limit),
    applyToOrder: (orderId, inbox, decide) => spanned('applyToOrder', () => storage.applyToOrder(orderId, inbox, stamped(decide))),
    getDeliveryByOrder: (orderId) => spanned('getDeliveryByOrder', () => storage.getDeliveryByOrder(orderId)),
    applyToDelivery: (orderId, inbox, decide) =>
      spanned('applyToDelivery', () => storage.applyToDelivery(orderId, inbox, stamped(decide))),
    pendingOutbox: (source, limit) => storage.pendingOutbox(source, limit),
    markOutboxSent: (ids) => storage.markOutboxSent(ids),
    pruneHandled: (before) => storage.pruneHandled(before),
    pruneIdempotencyKeys: (before) => storage.pruneIdempotencyKeys(before),
  };
}
