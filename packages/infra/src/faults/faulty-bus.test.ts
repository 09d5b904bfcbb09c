import { randomUUID } from 'node:crypto';
import { STREAMS, makeEvent, type EventEnvelope } from '@pizza/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBus, type MemoryBus } from '../bus/memory-bus';
import type { EventBus } from '../bus/event-bus';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { createFaultStore, type FaultStore } from './fault-store';
import { InjectedFault, withFaults } from './faulty-bus';

// Each fault on the real in-process bus: its effect while on, and normal service once it ends.
const event = (source = 'order-service'): EventEnvelope =>
  makeEvent('order.status_simulated', { eventId: randomUUID(), orderId: randomUUID(), source, payload: { status: 'confirmed' } });
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const wait = { timeout: 20_000, interval: 10 };

let opened: EventBus[] = [];
afterEach(async () => {
  await Promise.all(opened.map((b) => b.close()));
  opened = [];
});
function setup(): { bus: EventBus; faults: FaultStore; raw: MemoryBus } {
  const faults = createFaultStore({});
  const raw = createMemoryBus({ logger: createLogger('faults-test', 'silent'), metrics: createMetrics('faults-test'), claimIdleMs: 100 });
  opened.push(raw);
  return { bus: withFaults(raw, faults), faults, raw };
}

describe('faults at the bus port', () => {
  it('consumer-delay holds every delivery of its group, not of other groups; none after it ends', async () => {
    const { bus, faults } = setup();
    const started: { slow: number[]; other: number[] } = { slow: [], other: [] };
    for (const group of ['slow', 'other']) bus.consume({ streams: [STREAMS.orderStatus], group, handler: async () => void started[group as 'slow' | 'other'].push(Date.now()) });
    await faults.set({ name: 'consumer-delay', params: { group: 'slow', delayMs: 400 }, expiresAt: inMs(60_000) });
    const sent = Date.now();
    await bus.publish(STREAMS.orderStatus, event());
    await vi.waitFor(() => expect(started.slow).toHaveLength(1), wait);
    expect(started.slow[0]! - sent).toBeGreaterThanOrEqual(390);
    expect(started.other).toHaveLength(1);

    await faults.clear('consumer-delay');
    await bus.publish(STREAMS.orderStatus, event());
    await vi.waitFor(() => expect(started.slow).toHaveLength(2), wait);
  });

  it('consumer-failure with rate 1 fails every delivery of its group into dead letters; after it ends they succeed', async () => {
    const { bus, faults, raw } = setup();
    const handled: string[] = [];
    bus.consume({ streams: [STREAMS.orderStatus], group: 'victim', handler: async (m) => void handled.push(m.envelope.eventId) });
    await faults.set({ name: 'consumer-failure', params: { group: 'victim', rate: 1 }, expiresAt: inMs(60_000) });
    await bus.publish(STREAMS.orderStatus, event());
    await vi.waitFor(async () => expect(await raw.inspection.length(STREAMS.deadLetters)).toBe(1), wait);
    expect(handled).toEqual([]);

    await faults.clear('consumer-failure');
    const later = event();
    await bus.publish(STREAMS.orderStatus, later);
    await vi.waitFor(() => expect(handled).toEqual([later.eventId]), wait);
  });

  it('outbox-pause refuses the events of that service only, until it ends', async () => {
    const { bus, faults } = setup();
    await faults.set({ name: 'outbox-pause', params: { service: 'order-service' }, expiresAt: inMs(60_000) });
    await expect(bus.publish(STREAMS.orderStatus, event('order-service'))).rejects.toBeInstanceOf(InjectedFault);
    await expect(bus.publish(STREAMS.orderStatus, event('delivery-service'))).resolves.toMatch(/^\d+-\d+$/);
    await faults.clear('outbox-pause');
    await expect(bus.publish(STREAMS.orderStatus, event('order-service'))).resolves.toMatch(/^\d+-\d+$/);
  });

  it('push-delay holds broadcast deliveries (pushes) until the delay has passed', async () => {
    const { bus, faults } = setup();
    const received: number[] = [];
    bus.subscribe([STREAMS.orderStatus], () => void received.push(Date.now()));
    await faults.set({ name: 'push-delay', params: { delayMs: 300 }, expiresAt: inMs(60_000) });
    const sent = Date.now();
    await bus.publish(STREAMS.orderStatus, event());
    await vi.waitFor(() => expect(received).toHaveLength(1), wait);
    expect(received[0]! - sent).toBeGreaterThanOrEqual(290);
  });

  it('bus-outage refuses publishing while it lasts; when it expires publishing and consuming resume', async () => {
    const { bus, faults } = setup();
    const handled: number[] = [];
    bus.consume({ streams: [STREAMS.orderStatus], group: 'stalled', handler: async () => void handled.push(Date.now()) });
    await bus.publish(STREAMS.orderStatus, event()); // before the outage
    await vi.waitFor(() => expect(handled).toHaveLength(1), wait);

    const ends = Date.now() + 600;
    await faults.set({ name: 'bus-outage', params: { seconds: 1 }, expiresAt: new Date(ends).toISOString() });
    await expect(bus.publish(STREAMS.orderStatus, event())).rejects.toThrow(/bus outage/);
    await vi.waitFor(() => expect(faults.active('bus-outage')).toBeNull(), wait);
    await bus.publish(STREAMS.orderStatus, event());
    await vi.waitFor(() => expect(handled).toHaveLength(2), wait);
    expect(handled[1]!).toBeGreaterThanOrEqual(ends);
  });
});
