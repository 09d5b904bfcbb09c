import { DeadLetter, STREAMS } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { startRedisServer, type RedisServer } from '../testing';
import { describeBusContract, orderCreated } from './bus.contract';
import type { EventBus } from './event-bus';
import { createRedisBus } from './redis-bus';
import { pendingCountReply, readStreamsReply } from './redis-replies';

let server: RedisServer;
let raw: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
});

afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
});

describeBusContract('Redis Streams bus', async ({ claimIdleMs, gaugeIntervalMs }) => {
  await raw.flushall();
  const metrics = createMetrics('bus-test');
  const bus = createRedisBus({
    url: server.url,
    logger: createLogger('bus-test', 'silent'),
    metrics,
    claimIdleMs,
    gaugeIntervalMs,
    blockMs: 1_000,
  });
  return {
    bus,
    metrics,
    pendingCount: async (stream, group) => pendingCountReply(await raw.call('XPENDING', stream, group)),
    deadLetters: async () => {
      const [batch] = readStreamsReply(await raw.call('XREAD', 'STREAMS', STREAMS.deadLetters, '0'));
      return (batch?.entries ?? []).map((entry) => DeadLetter.parse(JSON.parse(entry.data ?? '')));
    },
  };
});

describe('Redis Streams bus: Redis specifics', () => {
  let bus: EventBus;
  afterEach(async () => {
    await bus?.close();
  });
  const open = async (claimIdleMs: number) => {
    await raw.flushall();
    bus = createRedisBus({
      url: server.url,
      logger: createLogger('bus-test', 'silent'),
      metrics: createMetrics('bus-test'),
      claimIdleMs,
      blockMs: 1_000,
    });
    return bus;
  };
  const deadLetters = async () => {
    const [batch] = readStreamsReply(await raw.call('XREAD', 'STREAMS', STREAMS.deadLetters, '0'));
    return (batch?.entries ?? []).map((entry) => DeadLetter.parse(JSON.parse(entry.data ?? '')));
  };

  it('publishes of one turn, sent together, keep their order, and a failing one fails only itself', async () => {
    await open(30_000);
    await raw.set(STREAMS.deliveries, 'not a stream');
    const envelopes = Array.from({ length: 20 }, () => orderCreated());
    const outcomes = await Promise.allSettled([
      ...envelopes.map((envelope) => bus.publish(STREAMS.orders, envelope)),
      bus.publish(STREAMS.deliveries, orderCreated()),
    ]);

    const ids = outcomes.slice(0, 20).map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)));
    const stored = (await raw.xrange(STREAMS.orders, '-', '+')).map(([id, fields]) => [id, JSON.parse(fields[1]!).eventId]);
    expect(stored).toEqual(ids.map((id, i) => [id, envelopes[i]!.eventId]));
    expect(outcomes[20]).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('WRONGTYPE') } });
  });

  it('a restarted consumer with the same name resumes its own unacked messages at once', async () => {
    const bus = await open(30_000);
    await raw.xgroup('CREATE', STREAMS.orders, 'resume-group', '0', 'MKSTREAM');
    const event = orderCreated();
    await bus.publish(STREAMS.orders, event);
    // The previous incarnation of worker-1 read the message and died before acking it.
    await raw.call(
      'XREADGROUP',
      'GROUP',
      'resume-group',
      'worker-1',
      'COUNT',
      10,
      'STREAMS',
      STREAMS.orders,
      '>',
    );

    const seen: { eventId: string; attempt: number }[] = [];
    const consumer = bus.consume({
      streams: [STREAMS.orders],
      group: 'resume-group',
      consumer: 'worker-1',
      handler: async (m) => void seen.push({ eventId: m.envelope.eventId, attempt: m.attempt }),
    });
    await consumer.ready;
    await vi.waitFor(() => expect(seen).toEqual([{ eventId: event.eventId, attempt: 2 }]), {
      timeout: 10_000,
    });
    await vi.waitFor(async () =>
      expect(pendingCountReply(await raw.call('XPENDING', STREAMS.orders, 'resume-group'))).toBe(0),
      { timeout: 10_000 },
    );
  });

  it('dead-letters raw entries that are not JSON or have no data field, keeping the raw text', async () => {
    const bus = await open(300);
    const consumer = bus.consume({
      streams: [STREAMS.orders],
      group: 'raw-group',
      handler: async () => undefined,
    });
    await consumer.ready;
    const notJson = await raw.xadd(STREAMS.orders, '*', 'data', 'this is not json');
    const noData = await raw.xadd(STREAMS.orders, '*', 'other', 'field');
    await vi.waitFor(async () => expect(await deadLetters()).toHaveLength(2), { timeout: 10_000 });
    const letters = await deadLetters();
    expect(letters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entryId: notJson,
          envelope: 'this is not json',
          attempts: 1,
          group: 'raw-group',
        }),
        expect.objectContaining({ entryId: noData, envelope: null, attempts: 1, group: 'raw-group' }),
      ]),
    );
  });
});
