import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from '../testing';
import { createFaultStore, type FaultStore } from './fault-store';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('fault store', () => {
  it('through Redis: a fault set by one process is active in another, and cleared everywhere', async () => {
    const a = createFaultStore({ redisUrl: redis.url, refreshMs: 50 });
    const b = createFaultStore({ redisUrl: redis.url, refreshMs: 50 });
    try {
      await a.set({ name: 'consumer-failure', params: { group: 'delivery-group', rate: 1 }, expiresAt: inMs(60_000) });
      await vi.waitFor(() => expect(b.active('consumer-failure')).toEqual({ group: 'delivery-group', rate: 1 }), { timeout: 10_000 });
      expect(b.active('consumer-delay')).toBeNull();
      expect((await b.list()).map((f) => f.name)).toEqual(['consumer-failure']);
      await b.clear('consumer-failure');
      await vi.waitFor(() => expect(a.active('consumer-failure')).toBeNull(), { timeout: 10_000 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.each([
    ['in memory', () => createFaultStore({})],
    ['through Redis', () => createFaultStore({ redisUrl: redis.url, refreshMs: 60_000 })],
  ])('%s: a fault ends at expiresAt even though nobody deletes it or refreshes', async (_name, create: () => FaultStore) => {
    const store = create();
    try {
      // long enough that the set (a Redis round trip) surely ends before it, also on a loaded machine
      const expiresAt = Date.now() + 2_000;
      await store.set({ name: 'push-delay', params: { delayMs: 5 }, expiresAt: new Date(expiresAt).toISOString() });
      expect(store.active('push-delay')).toEqual({ delayMs: 5 });
      await sleep(expiresAt + 100 - Date.now());
      expect(store.active('push-delay')).toBeNull();
      expect(await store.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
