import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackingMessage } from '@pizza/contracts';
import { createLogger } from '@pizza/infra';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { JOURNEY_RANKS, journeyEvents } from './journey.fixture';
import { createMemoryStatusCache } from './memory-status-cache';
import { createRedisStatusCache, statusKey } from './redis-status-cache';
import type { StatusCache } from './status-cache';
import { projectEvent, rankOf } from './status-projection';

/** The journey's messages, in rank order. */
function journey(orderId: string): TrackingMessage[] {
  const messages: TrackingMessage[] = [];
  let current: TrackingMessage | null = null;
  for (const event of journeyEvents(orderId)) {
    current = projectEvent(current, event) ?? current;
    if (current && !messages.includes(current)) messages.push(current);
  }
  return messages;
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const logger = createLogger('status-cache-test', 'silent');

const implementations: [string, (ttlMs?: number) => StatusCache][] = [
  ['memory', (ttlMs) => createMemoryStatusCache(ttlMs ? { ttlMs } : {})],
  ['redis', (ttlMs) => createRedisStatusCache({ url: redis.url, logger, ...(ttlMs ? { ttlMs } : {}) })],
];

describe.each(implementations)('%s status cache', (_name, create) => {
  const withCache = async (run: (cache: StatusCache) => Promise<void>, ttlMs?: number) => {
    const cache = create(ttlMs);
    try {
      await run(cache);
    } finally {
      await cache.close();
    }
  };

  it('knows nothing about an order it never saw', () =>
    withCache(async (cache) => {
      expect(await cache.read(randomUUID())).toBeNull();
    }));

  it('keeps every step and the latest', () =>
    withCache(async (cache) => {
      const orderId = randomUUID();
      const steps = journey(orderId);
      for (const step of steps) await cache.record(orderId, [step]);
      const state = await cache.read(orderId);
      expect(state?.steps).toEqual(steps);
      expect(state?.latest).toEqual(steps.at(-1));
    }));

  it('never moves back: an older step is neither stored nor made the latest', () =>
    withCache(async (cache) => {
      const orderId = randomUUID();
      const [created, confirmed, preparing] = journey(orderId);
      await cache.record(orderId, [created!]);
      const after = await cache.record(orderId, [preparing!]);
      expect(after.latest).toEqual(preparing);
      const stale = await cache.record(orderId, [confirmed!]);
      expect(stale.latest).toEqual(preparing);
      expect(stale.steps.map(rankOf)).toEqual([0, 20]);
      expect(await cache.record(orderId, [preparing!])).toEqual(stale);
    }));

  it('records several steps at once, in rank order whatever the argument order', () =>
    withCache(async (cache) => {
      const orderId = randomUUID();
      const steps = journey(orderId);
      const state = await cache.record(orderId, [...steps].reverse());
      expect(state.steps.map(rankOf)).toEqual(JOURNEY_RANKS);
    }));

  it('stays monotonic under concurrent writers', () =>
    withCache(async (cache) => {
      const orderId = randomUUID();
      const steps = journey(orderId);
      const others = [create(), create()];
      const writers = [cache, ...others];
      try {
        // every writer records every step, each in its own shuffled order, all at once
        await Promise.all(
          writers.flatMap((writer) => [...steps].sort(() => Math.random() - 0.5).map((step) => writer.record(orderId, [step]))),
        );
      } finally {
        await Promise.all(others.map((w) => w.close()));
      }
      const state = await cache.read(orderId);
      expect(state?.latest).toEqual(steps.at(-1));
      const ranks = state!.steps.map(rankOf);
      expect(ranks).toEqual([...new Set(ranks)].sort((a, b) => a - b));
    }));

  it('forgets an order after the TTL since its last write', () =>
    withCache(async (cache) => {
      const orderId = randomUUID();
      const [created, confirmed] = journey(orderId);
      // TTL 3 s: the read 1.8 s after the refresh has 1.2 s of slack for a loaded machine, yet comes
      // 3.6 s after the first write, so only the refresh can have kept the order
      await cache.record(orderId, [created!]);
      await new Promise((r) => setTimeout(r, 1800));
      await cache.record(orderId, [confirmed!]); // refreshes the TTL
      await new Promise((r) => setTimeout(r, 1800));
      expect((await cache.read(orderId))?.latest).toEqual(confirmed);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await cache.read(orderId)).toBeNull();
    }, 3000));

  it('answers ping', () => withCache((cache) => cache.ping()));
});

describe('redis status cache', () => {
  it('stores the documented hash: latest fields and one step per rank, with a 24 h TTL', async () => {
    const cache = createRedisStatusCache({ url: redis.url, logger });
    const client = new Redis(redis.url);
    try {
      const orderId = randomUUID();
      const steps = journey(orderId).slice(0, 5);
      await cache.record(orderId, steps);
      const hash = await client.hgetall(statusKey(orderId));
      expect(hash).toMatchObject({ status: 'out_for_delivery', deliveryStatus: 'waiting', at: steps[4]!.at, rank: '31' });
      expect(Object.keys(hash).filter((k) => k.startsWith('step:')).sort()).toEqual(['step:0', 'step:10', 'step:20', 'step:30', 'step:31']);
      expect(JSON.parse(hash['step:20']!)).toEqual(steps[2]);
      const ttl = await client.pttl(statusKey(orderId));
      expect(ttl).toBeGreaterThan(24 * 3600_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(24 * 3600_000);
    } finally {
      await cache.close();
      client.disconnect();
    }
  });

  it('fails fast while Redis is down and works again once it is back', async () => {
    const server = await startRedisServer();
    const cache = createRedisStatusCache({ url: server.url, logger });
    try {
      const orderId = randomUUID();
      const [created] = journey(orderId);
      await cache.record(orderId, [created!]);
      await server.stop();
      await expect(cache.read(orderId)).rejects.toThrow();
      await server.restart();
      await expect.poll(() => cache.ping().then(() => true, () => false), { timeout: 10_000 }).toBe(true);
      expect(await cache.read(orderId)).toBeNull(); // no persistence: the restarted server is empty
    } finally {
      await cache.close();
      await server.stop();
    }
  });
});

describe('memory status cache', () => {
  it('evicts the least recently changed orders beyond its size bound', async () => {
    const cache = createMemoryStatusCache({ maxOrders: 3 });
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await cache.record(id, journey(id).slice(0, 1));
    await cache.record(ids[1]!, journey(ids[1]!).slice(0, 2)); // touched: now the most recent
    const newest = randomUUID();
    await cache.record(newest, journey(newest).slice(0, 1));
    expect(await cache.read(ids[0]!)).toBeNull();
    expect(await cache.read(ids[2]!)).toBeNull();
    expect(await cache.read(ids[1]!)).not.toBeNull();
    expect(await cache.read(ids[3]!)).not.toBeNull();
  });
});
