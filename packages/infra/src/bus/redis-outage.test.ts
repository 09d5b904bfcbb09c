import { setTimeout as sleep } from 'node:timers/promises';
import { STREAMS, type EventEnvelope } from '@pizza/contracts';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { startRedisServer, type RedisServer } from '../testing';
import { orderCreated } from './bus.contract';
import type { EventBus } from './event-bus';
import { createRedisBus } from './redis-bus';

let server: RedisServer;
let bus: EventBus;

beforeAll(async () => {
  server = await startRedisServer();
  bus = createRedisBus({
    url: server.url,
    logger: createLogger('outage-test', 'silent'),
    metrics: createMetrics('outage-test'),
    claimIdleMs: 500,
    blockMs: 500,
  });
});

afterAll(async () => {
  await bus?.close();
  await server?.stop();
});

/** Like the outbox relay: keeps trying until Redis accepts the event. */
async function publishWithRetry(event: EventEnvelope): Promise<void> {
  for (;;) {
    try {
      await bus.publish(STREAMS.orders, event);
      return;
    } catch {
      await sleep(100);
    }
  }
}

it('consumers and subscribers recover from a Redis restart; ping reports the outage', async () => {
  const consumed = new Set<string>();
  const broadcast = new Set<string>();
  const consumer = bus.consume({
    streams: [STREAMS.orders],
    group: 'outage-group',
    handler: async (m) => void consumed.add(m.envelope.eventId),
  });
  const subscription = bus.subscribe([STREAMS.orders], (m) => void broadcast.add(m.envelope.eventId));
  await Promise.all([consumer.ready, subscription.ready]);
  const arrived = (events: EventEnvelope[]) =>
    vi.waitFor(
      () => {
        for (const { eventId } of events) {
          expect(consumed.has(eventId), 'consumed').toBe(true);
          expect(broadcast.has(eventId), 'broadcast').toBe(true);
        }
      },
      { timeout: 15_000, interval: 50 },
    );

  const before = Array.from({ length: 3 }, () => orderCreated());
  for (const event of before) await bus.publish(STREAMS.orders, event);
  await arrived(before);
  await bus.ping();

  await server.stop();
  await expect(bus.ping()).rejects.toThrow();
  // Published while Redis is down: the retrying publisher gets them in once it is back.
  const during = Array.from({ length: 3 }, () => orderCreated());
  const publishing = (async () => {
    for (const event of during) await publishWithRetry(event);
  })();
  await sleep(2_000);
  await expect(bus.ping()).rejects.toThrow();

  // No persistence: the restarted Redis has no streams and no groups; the consumer recreates its group.
  await server.restart();
  await vi.waitFor(() => bus.ping(), { timeout: 10_000, interval: 100 });
  await publishing;
  const after = Array.from({ length: 3 }, () => orderCreated());
  for (const event of after) await bus.publish(STREAMS.orders, event);

  await arrived([...during, ...after]);
  expect(consumed.size).toBe(9);
  expect(broadcast.size).toBe(9);
}, 60_000);
