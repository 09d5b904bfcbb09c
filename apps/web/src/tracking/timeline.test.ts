import type { Order, TrackingMessage } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import { buildTimeline, currentState, newestMessage } from './timeline';

const id = '2f1c6a8e-4b7d-4c1e-9f3a-1d2e3f4a5b6c';
const order = (patch: Partial<Order> = {}): Order => ({
  id,
  status: 'created',
  customer: { name: 'Ada', phone: '+353 1 234 5678', address: '1 Pizza Street' },
  items: [{ menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 1299 }],
  totalCents: 1299,
  simulate: true,
  createdAt: '2026-01-01T12:00:00.000Z',
  updatedAt: '2026-01-01T12:00:00.000Z',
  history: [{ status: 'created', at: '2026-01-01T12:00:00.000Z' }],
  delivery: null,
  ...patch,
});
const message = (status: TrackingMessage['status'], deliveryStatus: TrackingMessage['deliveryStatus'], at: string): TrackingMessage => ({
  type: 'status',
  orderId: id,
  status,
  deliveryStatus,
  at,
});

describe('tracking timeline', () => {
  it('shows all five steps with the reached times and the current one', () => {
    const steps = buildTimeline(
      order({
        status: 'preparing',
        history: [
          { status: 'created', at: '2026-01-01T12:00:00.000Z' },
          { status: 'confirmed', at: '2026-01-01T12:00:05.000Z' },
          { status: 'preparing', at: '2026-01-01T12:00:09.000Z' },
        ],
      }),
      null,
    );
    expect(steps.map((s) => [s.label, s.state, s.at])).toEqual([
      ['Created', 'done', '2026-01-01T12:00:00.000Z'],
      ['Confirmed', 'done', '2026-01-01T12:00:05.000Z'],
      ['Preparing', 'current', '2026-01-01T12:00:09.000Z'],
      ['Out for delivery', 'upcoming', null],
      ['Delivered', 'upcoming', null],
    ]);
  });

  it('moves ahead on a live push before the order is refetched, using the push time', () => {
    const steps = buildTimeline(order(), message('confirmed', null, '2026-01-01T12:00:04.000Z'));
    expect(steps[1]).toMatchObject({ status: 'confirmed', state: 'current', at: '2026-01-01T12:00:04.000Z' });
  });

  it('never moves backwards on a stale push', () => {
    const fetched = order({ status: 'out_for_delivery', delivery: null });
    expect(currentState(fetched, message('confirmed', null, '2026-01-01T12:00:04.000Z')).status).toBe('out_for_delivery');
    const newest = newestMessage(message('out_for_delivery', 'on_the_way', 'x'), message('out_for_delivery', 'waiting', 'y'));
    expect(newest.deliveryStatus).toBe('on_the_way');
  });

  it('tracks the delivery sub-status', () => {
    const live = message('out_for_delivery', 'on_the_way', '2026-01-01T12:01:00.000Z');
    expect(currentState(order({ status: 'out_for_delivery' }), live)).toEqual({ status: 'out_for_delivery', deliveryStatus: 'on_the_way' });
  });

  it('ignores a push for another order', () => {
    const other = { ...message('delivered', 'delivered', 'x'), orderId: '00000000-0000-4000-8000-000000000000' };
    expect(currentState(order(), other).status).toBe('created');
  });
});
