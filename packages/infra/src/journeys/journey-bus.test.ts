import { randomUUID } from 'node:crypto';
import { GROUPS, STREAMS, makeEvent, type JourneyHop } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import { createBus } from '../bus/create-bus';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { recordJourneyBus } from './journey-bus';
import { recordJourneyPush } from './journey-push';
import { createMemoryJourneyStore } from './journey-store';

const window = { orders: 10, hopsPerOrder: 16, ttlMs: 60_000 };

describe('journey hops at the bus port (in-process bus)', () => {
  it('records a publish hop and, per attempt that succeeded, a process hop with attempt, wait and handler time', async () => {
    const journeys = createMemoryJourneyStore(window);
    const bus = recordJourneyBus(createBus({ logger: createLogger('journey-test', 'silent'), metrics: createMetrics('journey-test') }), journeys, 'test-instance');
    const orderId = randomUUID();
    let calls = 0;
    const consumer = bus.consume({
      streams: [STREAMS.orders],
      group: GROUPS.delivery,
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
        await new Promise((resolve) => setTimeout(resolve, 30));
      },
    });
    await consumer.ready;
    const event = makeEvent('order.created', {
      eventId: randomUUID(),
      orderId,
      source: 'order-service',
      payload: { status: 'created', simulate: false, totalCents: 100, items: [{ menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 100 }] },
    });
    await bus.publish(STREAMS.orders, event);
    await expect.poll(async () => (await journeys.read(orderId))?.length, { timeout: 15_000 }).toBe(2);
    await consumer.close();
    await bus.close();

    const [published, processed] = (await journeys.read(orderId)) as [JourneyHop, JourneyHop];
    expect(published).toMatchObject({ kind: 'publish', service: 'order-service', instance: 'test-instance', stream: STREAMS.orders, eventType: 'order.created' });
    expect(processed).toMatchObject({ kind: 'process', service: 'delivery', instance: 'test-instance', stream: STREAMS.orders, group: GROUPS.delivery, eventType: 'order.created', attempt: 2 });
    expect(processed.tookMs).toBeGreaterThanOrEqual(25);
    expect(processed.waitedMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(processed.at)).toBeGreaterThanOrEqual(Date.parse(published.at) - 5);
    expect(published.traceId).toBeUndefined(); // tracing off: no trace id, hops all the same
  });

  it('records a push hop with the sockets the fan-out reached, and passes the count through', () => {
    const journeys = createMemoryJourneyStore(window);
    const orderId = randomUUID();
    const seen: string[] = [];
    const push = recordJourneyPush(journeys, 'n-1', (id, status, send) => {
      seen.push(`${id}:${status}:${send()}`);
    });
    push(orderId, 'baking', () => 3);
    expect(seen).toEqual([`${orderId}:baking:3`]);
    return expect(journeys.read(orderId)).resolves.toMatchObject([{ kind: 'push', service: 'notifications', instance: 'n-1', sockets: 3 }]);
  });
});
