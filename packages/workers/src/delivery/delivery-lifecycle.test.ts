import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Delivery, makeEvent, type EventEnvelope, type OrderStatus } from '@pizza/contracts';
import { decideDeliveryEvent } from './delivery-lifecycle';

const orderId = randomUUID();
const ctx = { now: '2026-01-01T12:00:00.000Z', newId: randomUUID };
const orderUpdated = (status: OrderStatus, simulate = true): EventEnvelope =>
  makeEvent('order.status_updated', {
    eventId: randomUUID(),
    orderId,
    source: 'order-service',
    payload: { status, previousStatus: 'preparing', simulate, deliveryStatus: null },
  });

describe('decideDeliveryEvent', () => {
  it('creates one waiting delivery with a courier when the order goes out for delivery', () => {
    const decision = decideDeliveryEvent(null, orderUpdated('out_for_delivery'), ctx)!;
    expect(Delivery.parse(decision.next)).toMatchObject({ orderId, status: 'waiting', simulate: true });
    expect(decision.next.courier.name).toBeTruthy();
    expect(decision.events.map((e) => e.type)).toEqual(['delivery.created', 'delivery.simulate']);
    expect(decision.events[1]!.payload).toMatchObject({ deliveryId: decision.next.id, next: 'on_the_way' });
  });

  it('does not create a second delivery for the same order (the event arriving twice)', () => {
    const first = decideDeliveryEvent(null, orderUpdated('out_for_delivery'), ctx)!;
    expect(decideDeliveryEvent(first.next, orderUpdated('out_for_delivery'), ctx)).toBeNull();
  });

  it('ignores other order statuses', () => {
    expect(decideDeliveryEvent(null, orderUpdated('preparing'), ctx)).toBeNull();
  });

  it('does not ask the simulator for orders placed with simulate: false', () => {
    const decision = decideDeliveryEvent(null, orderUpdated('out_for_delivery', false), ctx)!;
    expect(decision.events.map((e) => e.type)).toEqual(['delivery.created']);
  });

  it('moves forward only, and asks for the next step until delivered', () => {
    const created = decideDeliveryEvent(null, orderUpdated('out_for_delivery'), ctx)!.next;
    const step = (status: 'on_the_way' | 'delivered' | 'waiting') =>
      makeEvent('delivery.status_simulated', { eventId: randomUUID(), orderId, source: 'order-simulator', payload: { deliveryId: created.id, status } });
    const onTheWay = decideDeliveryEvent(created, step('on_the_way'), ctx)!;
    expect(onTheWay.events.map((e) => e.type)).toEqual(['delivery.status_updated', 'delivery.simulate']);
    const delivered = decideDeliveryEvent(onTheWay.next, step('delivered'), ctx)!;
    expect(delivered.next.status).toBe('delivered');
    expect(delivered.events.map((e) => e.type)).toEqual(['delivery.status_updated']);
    expect(delivered.next.history.map((h) => h.status)).toEqual(['waiting', 'on_the_way', 'delivered']);
    expect(decideDeliveryEvent(delivered.next, step('on_the_way'), ctx)).toBeNull();
    expect(decideDeliveryEvent(onTheWay.next, step('on_the_way'), ctx)).toBeNull();
  });

  it('ignores a simulated status for another delivery', () => {
    const created = decideDeliveryEvent(null, orderUpdated('out_for_delivery'), ctx)!.next;
    const foreign = makeEvent('delivery.status_simulated', { eventId: randomUUID(), orderId, source: 'order-simulator', payload: { deliveryId: randomUUID(), status: 'on_the_way' } });
    expect(decideDeliveryEvent(created, foreign, ctx)).toBeNull();
  });
});
