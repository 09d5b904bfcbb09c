import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeEvent, EventEnvelope } from '@pizza/contracts';
import { delayFor, dueAt, resultEventId } from './step-plan';

const delays = { confirm: { min: 10, max: 20 }, prepare: { min: 30, max: 40 }, pickup: { min: 50, max: 60 }, transit: { min: 70, max: 80 } };
const request = (next: 'confirmed' | 'preparing' | 'out_for_delivery') =>
  makeEvent('order.simulate', { eventId: randomUUID(), orderId: randomUUID(), source: 'order-service', payload: { next } });

describe('step plan', () => {
  it('uses the delay of each step', () => {
    expect(delayFor(request('confirmed'), delays)).toBe(delays.confirm);
    expect(delayFor(request('preparing'), delays)).toBe(delays.prepare);
    expect(delayFor(request('out_for_delivery'), delays)).toBe(delays.prepare);
    const ride = makeEvent('delivery.simulate', { eventId: randomUUID(), orderId: randomUUID(), source: 'delivery-service', payload: { deliveryId: randomUUID(), next: 'delivered' } });
    expect(delayFor(ride, delays)).toBe(delays.transit);
  });

  it('draws the due time once per request, within the range', () => {
    const r = request('confirmed');
    const due = dueAt(r, delays.confirm);
    expect(dueAt(r, delays.confirm)).toBe(due);
    const delay = due - Date.parse(r.occurredAt);
    expect(delay).toBeGreaterThanOrEqual(10);
    expect(delay).toBeLessThanOrEqual(20);
  });

  it('derives a stable, valid event id for the step it publishes', () => {
    const id = randomUUID();
    expect(resultEventId(id)).toBe(resultEventId(id));
    expect(resultEventId(id)).not.toBe(resultEventId(randomUUID()));
    const event = makeEvent('order.status_simulated', { eventId: resultEventId(id), orderId: randomUUID(), source: 'x', payload: { status: 'confirmed' } });
    expect(EventEnvelope.safeParse(event).success).toBe(true);
  });
});
