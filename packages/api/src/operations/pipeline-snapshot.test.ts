import { randomUUID } from 'node:crypto';
import { GROUPS, PipelineSnapshot, STREAMS, makeEvent } from '@pizza/contracts';
import { HandlerTimings, createBus, createLogger, createMetrics, createTimingsBoard, timeBus, type InspectableBus, type TimingsBoard } from '@pizza/infra';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPipelineSnapshots } from './pipeline-snapshot';

// The live numbers of the snapshot on both bus adapters: stream and group rates from the engine's
// counters, handler timings from the bus wrapper.
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const event = () =>
  makeEvent('order.created', {
    eventId: randomUUID(),
    orderId: randomUUID(),
    source: 'order-service',
    payload: { status: 'created', simulate: false, totalCents: 1299, items: [{ menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 1299 }] },
  });

describe.each([
  ['in-process bus', () => undefined],
  ['Redis Streams bus', () => redis.url],
])('pipeline snapshot on the %s', (_name, redisUrl) => {
  let raw: InspectableBus;
  let board: TimingsBoard;
  afterAll(async () => {
    await raw?.close();
    await board?.close();
  });

  it('shows the stream rate, the group delivery rate, the producer and the handler timings once entries flow', async () => {
    const url = redisUrl();
    const logger = createLogger('snapshot-test', 'silent');
    raw = createBus({ ...(url ? { redisUrl: url } : {}), logger, metrics: createMetrics('snapshot-test'), claimIdleMs: 60_000 });
    const timings = new HandlerTimings('test-process');
    board = createTimingsBoard({ ...(url ? { redisUrl: url } : {}), instance: 'test-process', timings, logger });
    const bus = timeBus(raw, timings, 'pizza-express');
    const snapshot = createPipelineSnapshots({ inspection: raw.inspection, timings: board, deadLetters: async () => 0 });
    let handled = 0;
    const consumer = bus.consume({ streams: [STREAMS.orders], group: GROUPS.delivery, handler: async () => void handled++ });
    await consumer.ready;

    const first = PipelineSnapshot.parse(await snapshot());
    const orders = () => first.streams.find((s) => s.name === STREAMS.orders)!;
    expect(orders().perSecond).toBeNull(); // no earlier reading yet
    expect(orders().groups[0]).toMatchObject({ name: GROUPS.delivery, deliveredPerSecond: null, entriesRead: 0, handler: { instances: 1, handled: 0, p50Ms: null } });
    expect(first.windows).toEqual({ rateSeconds: 5, latencySeconds: 60 });

    for (let i = 0; i < 10; i++) await bus.publish(STREAMS.orders, event());
    await vi.waitFor(() => expect(handled).toBe(10), { timeout: 20_000, interval: 50 });

    await vi.waitFor(
      async () => {
        const stream = PipelineSnapshot.parse(await snapshot()).streams.find((s) => s.name === STREAMS.orders)!;
        expect(stream.entriesAdded).toBe(10);
        expect(stream.perSecond).toBeGreaterThan(0);
        expect(stream.groups[0]!.entriesRead).toBe(10);
        expect(stream.groups[0]!.deliveredPerSecond).toBeGreaterThan(0);
        expect(stream.groups[0]!.handler).toMatchObject({ services: ['delivery-service'], instances: 1, handled: 10, failedPerSecond: 0 });
        expect(stream.groups[0]!.handler!.p99Ms).toBeGreaterThanOrEqual(stream.groups[0]!.handler!.p50Ms!);
        expect(stream.producers).toEqual([{ service: 'order-service', perSecond: expect.any(Number) }]);
      },
      { timeout: 20_000, interval: 300 },
    );
    await consumer.close();
  });
});
