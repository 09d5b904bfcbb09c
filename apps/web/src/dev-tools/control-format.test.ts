import { FaultRequest } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import { describeParams, envelopeSummary, faultRequestOf, timeLeft, type FaultForm } from './control-format';

const form: FaultForm = { group: 'delivery-group', rate: '1', delayMs: '250', service: 'order-service', seconds: '10', ttlSeconds: '120' };

describe('control room formatting', () => {
  it('time left as m:ss, rounded up, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(timeLeft('2026-01-01T00:02:05.000Z', now)).toBe('2:05');
    expect(timeLeft('2026-01-01T00:00:00.200Z', now)).toBe('0:01');
    expect(timeLeft('2025-12-31T23:59:00.000Z', now)).toBe('0:00');
  });

  it('fault params in one line', () => {
    expect(describeParams({ group: 'delivery-group', rate: 1 })).toBe('group delivery-group · rate 1');
  });

  it('a fault request carries only the fields of that fault, numbers as numbers, and the API schema accepts it', () => {
    expect(faultRequestOf('consumer-failure', form)).toEqual({ name: 'consumer-failure', ttlSeconds: 120, group: 'delivery-group', rate: 1 });
    expect(faultRequestOf('bus-outage', form)).toEqual({ name: 'bus-outage', ttlSeconds: 120, seconds: 10 });
    for (const name of ['consumer-failure', 'consumer-delay', 'outbox-pause', 'push-delay', 'bus-outage'] as const) {
      expect(FaultRequest.safeParse(faultRequestOf(name, form)).success, name).toBe(true);
    }
  });

  it('an empty or unreadable number goes as typed, so the API names the field', () => {
    const sent = faultRequestOf('push-delay', { ...form, delayMs: 'soon', ttlSeconds: '' });
    expect(sent).toEqual({ name: 'push-delay', ttlSeconds: '', delayMs: 'soon' });
    const refused = FaultRequest.safeParse(sent);
    expect(refused.success).toBe(false);
    expect(refused.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['delayMs', 'ttlSeconds']);
  });

  it('reads type and order id from an event envelope; nothing from raw text', () => {
    expect(envelopeSummary({ type: 'order.created', orderId: 'abc' })).toEqual({ type: 'order.created', orderId: 'abc' });
    expect(envelopeSummary('not json')).toEqual({ type: null, orderId: null });
  });
});
