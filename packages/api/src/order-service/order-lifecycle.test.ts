import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeEvent, type EventEnvelope, type Order, type OrderDelivery, type OrderStatus } from '@pizza/contracts';
import { decideOrderEvent } from './order-lifecycle';

const orderId = randomUUID();
const t0 = '2026-01-01T12:00:00.000Z';
const baseOrder = (status: OrderStatus = 'created', simulate = true): Order => ({
  id: orderId,
  status,
  customer: { name: 'A', phone: '123456', address: 'Somewhere 1' },
  items: [{ menuItemId: 'cola', name: 'Cola', quantity: 1, unitPriceCents: 299 }],
  totalCents: 299,
  simulate,
  createdAt: t0,
  updatedAt: t0,
  history: [{ status: 'created', at: t0 }],
  delivery: null,
});
const ctx = { now: '2026-01-01T12:00:05.000Z', newId: randomUUID };
const simulated = (status: OrderStatus): EventEnvelope =>
  makeEvent('order.status_simulated', { eventId: randomUUID(), orderId, source: 'order-simulator', payload: { status } });
const delivery = (status: OrderDelivery['status'], id = '7d3c0d7e-66c8-4f55-9d7c-3f1c1c1c1c1c'): OrderDelivery => ({
  id,
  status,
  courier: { name: 'Luigi', phone: '+39 06 000' },
  updatedAt: ctx.now,
});
const deliveryUpdated = (status: OrderDelivery['status']): EventEnvelope =>
  makeEvent('delivery.status_updated', { eventId: randomUUID(), orderId, source: 'delivery-service', payload: { delivery: delivery(status), previousStatus: 'waiting' } });

describe('decideOrderEvent', () => {
  it('applies the next simulated status, records history, emits the update and the next step', () => {
    const decision = decideOrderEvent(baseOrder(), simulated('confirmed'), ctx)!;
    expect(decision.next.status).toBe('confirmed');
    expect(decision.next.history).toEqual([{ status: 'created', at: t0 }, { status: 'confirmed', at: ctx.now }]);
    expect(decision.events.map((e) => e.type)).toEqual(['order.status_updated', 'order.simulate']);
    expect(decision.events[1]!.payload).toEqual({ next: 'preparing' });
  });

  it('stops asking the simulator once the order is out for delivery', () => {
    const decision = decideOrderEvent(baseOrder('preparing'), simulated('out_for_delivery'), ctx)!;
    expect(decision.events.map((e) => e.type)).toEqual(['order.status_updated']);
  });

  it('never asks the simulator for an order placed with simulate: false', () => {
    const decision = decideOrderEvent(baseOrder('created', false), simulated('confirmed'), ctx)!;
    expect(decision.events.map((e) => e.type)).toEqual(['order.status_updated']);
  });

  it.each([
    ['a duplicate', 'confirmed', 'confirmed'],
    ['a stale', 'preparing', 'confirmed'],
    ['a backwards', 'delivered', 'created'],
  ] as const)('ignores %s status', (_name, current, incoming) => {
    expect(decideOrderEvent(baseOrder(current), simulated(incoming), ctx)).toBeNull();
  });

  it('never delivers an order from a simulated status: only its delivery can', () => {
    expect(decideOrderEvent(baseOrder('confirmed'), simulated('delivered'), ctx)).toBeNull();
    expect(decideOrderEvent(baseOrder('out_for_delivery'), simulated('delivered'), ctx)).toBeNull();
    expect(decideOrderEvent(baseOrder('confirmed'), simulated('created'), ctx)).toBeNull();
  });

  it('keeps the delivery in sync and delivers the order when its delivery is delivered', () => {
    const out = baseOrder('out_for_delivery');
    const created = decideOrderEvent(out, makeEvent('delivery.created', { eventId: randomUUID(), orderId, source: 'delivery-service', payload: { delivery: delivery('waiting'), simulate: true } }), ctx)!;
    expect(created.next.status).toBe('out_for_delivery');
    expect(created.next.delivery?.status).toBe('waiting');
    expect(created.events).toEqual([]);

    const onTheWay = decideOrderEvent(created.next, deliveryUpdated('on_the_way'), ctx)!;
    expect(onTheWay.next.delivery?.status).toBe('on_the_way');

    const delivered = decideOrderEvent(onTheWay.next, deliveryUpdated('delivered'), ctx)!;
    expect(delivered.next.status).toBe('delivered');
    expect(delivered.next.history.at(-1)?.status).toBe('delivered');
    expect(delivered.events.map((e) => e.type)).toEqual(['order.status_updated']);
    expect(delivered.events[0]!.payload).toMatchObject({ status: 'delivered', deliveryStatus: 'delivered' });

    // a late on_the_way after delivered changes nothing
    expect(decideOrderEvent(delivered.next, deliveryUpdated('on_the_way'), ctx)).toBeNull();
  });
});
