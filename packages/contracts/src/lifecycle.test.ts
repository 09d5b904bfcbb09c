import { describe, expect, it } from 'vitest';
import {
  DELIVERY_STATUSES,
  canAdvanceDelivery,
  canAdvanceOrder,
  nextSimulatedDeliveryStatus,
  nextSimulatedOrderStatus,
  trackingRank,
} from './rules';
import type { OrderStatus } from './lifecycle';

describe('order lifecycle', () => {
  it('only moves forward', () => {
    expect(canAdvanceOrder('created', 'confirmed')).toBe(true);
    expect(canAdvanceOrder('created', 'preparing')).toBe(true);
    expect(canAdvanceOrder('confirmed', 'confirmed')).toBe(false);
    expect(canAdvanceOrder('preparing', 'confirmed')).toBe(false);
    expect(canAdvanceOrder('delivered', 'created')).toBe(false);
  });

  it('the simulator walks created → out_for_delivery, then stops', () => {
    const walked: string[] = [];
    let s: OrderStatus | null = 'created';
    while (s) {
      walked.push(s);
      s = nextSimulatedOrderStatus(s);
    }
    expect(walked).toEqual(['created', 'confirmed', 'preparing', 'out_for_delivery']);
  });

  it('deliveries walk waiting → on_the_way → delivered and never back', () => {
    expect(nextSimulatedDeliveryStatus('waiting')).toBe('on_the_way');
    expect(nextSimulatedDeliveryStatus('on_the_way')).toBe('delivered');
    expect(nextSimulatedDeliveryStatus('delivered')).toBeNull();
    expect(canAdvanceDelivery('on_the_way', 'waiting')).toBe(false);
  });

  it('tracking ranks are strictly increasing along the whole journey', () => {
    const journey = [
      trackingRank('created', null),
      trackingRank('confirmed', null),
      trackingRank('preparing', null),
      trackingRank('out_for_delivery', null),
      ...DELIVERY_STATUSES.map((d) => trackingRank('out_for_delivery', d)),
      trackingRank('delivered', 'delivered'),
    ];
    for (let i = 1; i < journey.length; i++) expect(journey[i]).toBeGreaterThan(journey[i - 1]!);
  });
});
