import { randomUUID } from 'node:crypto';
import type { JourneyHop } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../testing';
import { createJourneyStore, createMemoryJourneyStore, type JourneyStore } from './journey-store';

const hop = (kind: JourneyHop['kind'], atMs: number, extra: Partial<JourneyHop> = {}): JourneyHop => ({
  at: new Date(atMs).toISOString(),
  kind,
  service: 'order-service',
  instance: 'order-service-test-1',
  ...extra,
});
const window = { orders: 20, hopsPerOrder: 8, ttlMs: 60_000 };

/** Records `count` orders of `hopsEach` hops; returns their ids, oldest first. */
async function fill(store: JourneyStore, count: number, hopsEach: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    for (let h = 0; h < hopsEach; h++) store.record(id, hop('publish', 1_700_000_000_000 + i * 100 + h, { stream: 'orders', eventType: `e${h}` }));
    if (i % 50 === 49) await drained(store); // a Redis store queues at most 5,000 hops: let it hand over what it has
  }
  return ids;
}

/** Waits (bounded) until the store has handed every queued hop to Redis (the memory store queues none). */
async function drained(store: JourneyStore): Promise<void> {
  const deadline = Date.now() + 30_000;
  do {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (Date.now() > deadline) throw new Error(`${store.retained().queued} hops still queued after 30 s`);
  } while (store.retained().queued > 0);
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe('memory journey store', () => {
  it('holds at most the window (orders × hops per order) after many orders, keeping the newest', async () => {
    const store = createMemoryJourneyStore(window);
    const ids = await fill(store, 5_000, 12);
    expect(store.retained()).toEqual({ orders: 20, hops: 20 * 8, queued: 0 });
    expect(await store.read(ids[0]!)).toBeNull();
    const newest = await store.read(ids.at(-1)!);
    expect(newest?.map((h) => h.eventType)).toEqual(['e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10', 'e11']);
    expect(await store.latest(3)).toEqual(ids.slice(-3).reverse());
  });

  it('forgets a journey once its last hop is older than the TTL', async () => {
    let now = 1_000_000;
    const store = createMemoryJourneyStore(window, () => now);
    const [old] = await fill(store, 1, 2);
    now += window.ttlMs - 1;
    expect(await store.read(old!)).toHaveLength(2);
    now += 2;
    expect(await store.read(old!)).toBeNull();
    store.record(randomUUID(), hop('commit', now));
    expect(store.retained().orders).toBe(1);
  });

  it('starts an expired journey over when a late hop arrives, even while a live journey is ahead of it in the map', async () => {
    let now = 1_000_000;
    const store = createMemoryJourneyStore(window, () => now);
    const [first, second] = await fill(store, 2, 2);
    now += window.ttlMs - 10;
    store.record(first!, hop('push', now)); // first is live again, and ahead of second in the map
    now += 20; // second has expired; first has not
    store.record(second!, hop('push', now));
    expect((await store.read(second!))?.map((h) => h.kind)).toEqual(['push']);
    expect(await store.read(first!)).toHaveLength(3);
  });
});

describe('Redis journey store (real Redis)', () => {
  it('keeps the hops of an order in the order they were written, shared by two stores', async () => {
    const writer = createJourneyStore({ redisUrl: redis.url, window });
    const reader = createJourneyStore({ redisUrl: redis.url, window });
    const id = randomUUID();
    writer.record(id, hop('commit', 2_000));
    writer.record(id, hop('http', 1_000, { tookMs: 3 }));
    await expect.poll(() => reader.read(id), { timeout: 10_000 }).toHaveLength(2);
    expect((await reader.read(id))!.map((h) => h.kind)).toEqual(['commit', 'http']);
    expect(await reader.read(randomUUID())).toBeNull();
    await writer.close();
    await reader.close();
  });

  it('holds at most the window in Redis after many orders: list count, list length and TTL capped', async () => {
    const lost: number[] = [];
    const store = createJourneyStore({ redisUrl: redis.url, window, onLost: (count) => lost.push(count) });
    const raw = new Redis(redis.url);
    await raw.flushall();
    const ids = await fill(store, 2_000, 12);
    await store.close(); // writes what is queued
    expect(lost).toEqual([]);
    const keys = await raw.keys('pizza:journey:*');
    expect(keys).toHaveLength(20);
    expect(keys.sort()).toEqual(ids.slice(-20).map((id) => `pizza:journey:${id}`).sort());
    for (const key of keys) {
      expect(await raw.llen(key)).toBe(8);
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(window.ttlMs);
    }
    expect(await raw.lrange('pizza:journeys', 0, -1)).toEqual(ids.slice(-20).reverse());
    raw.disconnect();
  });

  it('loses hops without throwing when Redis is gone, and queues no more than its cap', async () => {
    const gone = await startRedisServer();
    let lost = 0;
    const store = createJourneyStore({ redisUrl: gone.url, window, onLost: (count) => (lost += count) });
    await gone.stop();
    expect(() => {
      for (let i = 0; i < 20_000; i++) store.record(randomUUID(), hop('commit', i));
    }).not.toThrow();
    expect(store.retained().queued).toBeLessThanOrEqual(5_000);
    await expect.poll(() => lost, { timeout: 20_000 }).toBe(20_000);
    await store.close();
  });
});
