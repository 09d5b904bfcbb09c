import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SERVICES, makeEvent, type Delivery, type Order, type TrackingMessage } from '@pizza/contracts';
import { JOURNEY_RANKS, journeyEvents } from './journey.fixture';
import { eventIdOf, projectEvent, rankOf, rankOfEventId, stepsOfOrder } from './status-projection';

const orderId = randomUUID();

/** Folds events in the given order and returns every message produced. */
function fold(events: ReturnType<typeof journeyEvents>): TrackingMessage[] {
  const produced: TrackingMessage[] = [];
  let current: TrackingMessage | null = null;
  for (const event of events) {
    const next = projectEvent(current, event);
    if (next) produced.push((current = next));
  }
  return produced;
}

describe('projectEvent', () => {
  it('turns the whole journey into one message per step, stamped with the event time', () => {
    const events = journeyEvents(orderId);
    const produced = fold(events);
    expect(produced.map(rankOf)).toEqual(JOURNEY_RANKS);
    expect(produced.map((m) => m.at)).toEqual(events.map((e) => e.occurredAt));
    expect(produced[0]).toEqual({ type: 'status', orderId, status: 'created', deliveryStatus: null, at: events[0]!.occurredAt });
    expect(produced.at(-1)).toMatchObject({ status: 'delivered', deliveryStatus: 'delivered' });
    expect(produced[4]).toMatchObject({ status: 'out_for_delivery', deliveryStatus: 'waiting' });
  });

  it('ignores duplicates', () => {
    const events = journeyEvents(orderId);
    const doubled = events.flatMap((e) => [e, e]);
    expect(fold(doubled).map(rankOf)).toEqual(JOURNEY_RANKS);
  });

  it('ignores a stale event that arrives after a newer one', () => {
    const [created, confirmed, preparing] = journeyEvents(orderId);
    const produced = fold([created!, preparing!, confirmed!]);
    expect(produced.map((m) => m.status)).toEqual(['created', 'preparing']);
  });

  it('never moves back whatever the arrival order', () => {
    const events = journeyEvents(orderId);
    for (let round = 0; round < 50; round++) {
      const shuffled = [...events].sort(() => Math.random() - 0.5);
      const ranks = fold(shuffled).map(rankOf);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(new Set(ranks).size).toBe(ranks.length);
      expect(ranks.at(-1)).toBe(43);
    }
  });

  it('a delivery event implies the order is out for delivery', () => {
    const events = journeyEvents(orderId);
    const produced = fold([events[0]!, events[2]!, events[4]!, events[3]!]);
    expect(produced.map((m) => [m.status, m.deliveryStatus])).toEqual([
      ['created', null],
      ['preparing', null],
      ['out_for_delivery', 'waiting'],
    ]);
  });

  it('starts from whatever event comes first when nothing is known', () => {
    const onTheWay = journeyEvents(orderId)[5]!;
    expect(projectEvent(null, onTheWay)).toMatchObject({ status: 'out_for_delivery', deliveryStatus: 'on_the_way' });
  });

  it('ignores events that do not move tracking', () => {
    const simulate = makeEvent('order.simulate', { orderId, eventId: randomUUID(), source: SERVICES.order, payload: { next: 'confirmed' } });
    expect(projectEvent(null, simulate)).toBeNull();
  });
});

describe('event ids', () => {
  it('are UUIDs naming one step of one order, and name it back', () => {
    const steps = fold(journeyEvents(orderId));
    const ids = steps.map(eventIdOf);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(steps.length);
    expect(ids.map((id) => rankOfEventId(orderId, id))).toEqual(steps.map(rankOf));
    expect(eventIdOf(steps[0]!)).toBe(eventIdOf({ ...steps[0]! })); // stable
    const other = randomUUID();
    expect(rankOfEventId(other, ids[1])).toBeNull(); // another order's step is not ours
    for (const bad of [null, undefined, '', 'abc', '10', randomUUID()]) expect(rankOfEventId(orderId, bad)).toBeNull();
  });
});

describe('stepsOfOrder', () => {
  const t = (i: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, i)).toISOString();
  const courier = { name: 'Ada', phone: '+1 555 0100' };
  const deliveryId = randomUUID();
  const baseOrder: Order = {
    id: orderId,
    status: 'created',
    customer: { name: 'A', phone: '+1 555 0100', address: 'Somewhere 1' },
    items: [],
    totalCents: 0,
    simulate: true,
    createdAt: t(0),
    updatedAt: t(0),
    history: [{ status: 'created', at: t(0) }],
    delivery: null,
  };
  const delivered: Order = {
    ...baseOrder,
    status: 'delivered',
    updatedAt: t(7),
    history: [
      { status: 'created', at: t(0) },
      { status: 'confirmed', at: t(1) },
      { status: 'preparing', at: t(2) },
      { status: 'out_for_delivery', at: t(3) },
      { status: 'delivered', at: t(7) },
    ],
    delivery: { id: deliveryId, status: 'delivered', courier, updatedAt: t(6) },
  };
  const deliveryRecord: Delivery = {
    id: deliveryId,
    orderId,
    status: 'delivered',
    courier,
    simulate: true,
    createdAt: t(4),
    updatedAt: t(6),
    history: [
      { status: 'waiting', at: t(4) },
      { status: 'on_the_way', at: t(5) },
      { status: 'delivered', at: t(6) },
    ],
  };

  it('a new order has one step', () => {
    expect(stepsOfOrder(baseOrder)).toEqual([{ type: 'status', orderId, status: 'created', deliveryStatus: null, at: t(0) }]);
  });

  it('rebuilds every step with its time from the order and its delivery record', () => {
    const steps = stepsOfOrder(delivered, deliveryRecord);
    expect(steps.map(rankOf)).toEqual(JOURNEY_RANKS);
    expect(steps.map((s) => s.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(t));
    expect(steps.at(-1)).toMatchObject({ status: 'delivered', deliveryStatus: 'delivered' });
  });

  it('without the delivery record, uses the delivery as the order last saw it', () => {
    const steps = stepsOfOrder(delivered);
    expect(steps.map(rankOf)).toEqual([0, 10, 20, 30, 33, 43]);
    expect(steps[4]!.at).toBe(t(6));
  });

  it('prefers the delivery record when it is ahead of the order copy', () => {
    const outForDelivery: Order = {
      ...delivered,
      status: 'out_for_delivery',
      updatedAt: t(4),
      history: delivered.history.slice(0, 4),
      delivery: { id: deliveryId, status: 'waiting', courier, updatedAt: t(4) },
    };
    const record: Delivery = { ...deliveryRecord, status: 'on_the_way', updatedAt: t(5), history: deliveryRecord.history.slice(0, 2) };
    expect(stepsOfOrder(outForDelivery, record).map(rankOf)).toEqual([0, 10, 20, 30, 31, 32]);
  });
});
