import { WebSocket } from 'ws';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { EVENT_STREAM, type EventEnvelope } from '@pizza/contracts';
import type { AppRouter } from '@pizza/api';
import { createStorage, type Storage } from '@pizza/infra';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { startProcess, tempDatabaseUrl, type AppProcess } from './app-process';
// the same fixtures the notifications service's own tests use
import { JOURNEY_RANKS, deliverInStorage, journeyEvents, placeTestOrder } from '../../../packages/api/src/notifications/journey.fixture';
import { rankOf } from '../../../packages/api/src/notifications/status-projection';
import { openTracking, type TrackingClient } from '../../../packages/api/src/notifications/tracking-client.fixture';

const NOTIFICATIONS = 'packages/api/src/notifications/main.ts';

let redisServer: RedisServer;
let redis: Redis;
let storage: Storage;
let replicas: AppProcess[];
beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = new Redis(redisServer.url);
  const database = tempDatabaseUrl();
  storage = createStorage(database);
  await storage.init();
  const env = { REDIS_URL: redisServer.url, DATABASE_URL: database };
  replicas = await Promise.all([startProcess(NOTIFICATIONS, env), startProcess(NOTIFICATIONS, env)]);
});
afterAll(async () => {
  await Promise.all((replicas ?? []).map((r) => r.kill()));
  redis?.disconnect();
  await storage?.close();
  await redisServer?.stop();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Publishes as the order and delivery services do: one `data` field holding the JSON envelope. */
const publish = (event: EventEnvelope) => redis.xadd(EVENT_STREAM[event.type], 'MAXLEN', '~', '10000', '*', 'data', JSON.stringify(event));

function track(replica: AppProcess, orderId: string): TrackingClient {
  const client = openTracking(`ws://127.0.0.1:${replica.port}/ws/v1/order-tracking/${orderId}`);
  cleanups.push(() => client.ws.terminate());
  return client;
}

function trpcTrack(replica: AppProcess, orderId: string): number[] {
  const wsClient = createWSClient({ url: `ws://127.0.0.1:${replica.port}/ws/v1/trpc`, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
  const ids: number[] = [];
  const subscription = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] }).orders.track.subscribe(
    { orderId },
    { onData: (event) => ids.push(rankOf(event.data)) },
  );
  cleanups.push(() => wsClient.close(), () => subscription.unsubscribe());
  return ids;
}

describe('two notifications replicas on one Redis', () => {
  it('each delivers every status of an order to its own clients', async () => {
    const orderId = await placeTestOrder(storage);
    const events = journeyEvents(orderId);
    const [a, b] = replicas as [AppProcess, AppProcess];
    const onA = track(a, orderId);
    const onB = track(b, orderId);
    const trpcOnB = trpcTrack(b, orderId);
    expect(await onA.waitForRanks(1)).toEqual([0]);
    expect(await onB.waitForRanks(1)).toEqual([0]);
    await expect.poll(() => trpcOnB).toEqual([0]);

    // one at a time, as the lifecycle causes them: each step follows from the one before
    for (let i = 0; i < events.length; i++) {
      await publish(events[i]!);
      await expect.poll(() => [onA.ranks().at(-1), onB.ranks().at(-1), trpcOnB.at(-1)], { timeout: 10_000 }).toEqual(Array(3).fill(JOURNEY_RANKS[i]));
    }
    expect(onA.ranks()).toEqual(JOURNEY_RANKS);
    expect(onB.ranks()).toEqual(JOURNEY_RANKS);
    expect(trpcOnB).toEqual(JOURNEY_RANKS);
    expect(onA.statuses()).toEqual(onB.statuses());

    // the shared cache holds the whole journey, for 24 h
    const key = `order:${orderId}:status`;
    expect(await redis.hget(key, 'status')).toBe('delivered');
    expect(await redis.pttl(key)).toBeGreaterThan(23 * 3600_000);
  });

  it('never sends an older status after a newer one when events arrive out of order', async () => {
    const orderId = await placeTestOrder(storage);
    const [created, confirmed, preparing, outForDelivery] = journeyEvents(orderId);
    const [a, b] = replicas as [AppProcess, AppProcess];
    const onA = track(a, orderId);
    const onB = track(b, orderId);
    await Promise.all([onA.waitForRanks(1), onB.waitForRanks(1)]);
    for (const event of [created!, preparing!, confirmed!, created!, outForDelivery!, preparing!]) await publish(event);
    await expect.poll(() => [onA.ranks(), onB.ranks()], { timeout: 10_000 }).toEqual([
      [0, 20, 30],
      [0, 20, 30],
    ]);
  });

  it('a client that connects after delivery gets delivered at once, from the Redis cache or from storage', async () => {
    const orderId = await placeTestOrder(storage);
    const [a, b] = replicas as [AppProcess, AppProcess];
    const watcher = track(a, orderId);
    await watcher.waitForRanks(1);
    for (const event of journeyEvents(orderId)) await publish(event);
    await expect.poll(() => watcher.ranks().at(-1), { timeout: 10_000 }).toBe(43);
    expect(await track(b, orderId).waitForRanks(1)).toEqual([43]);

    const coldId = await placeTestOrder(storage);
    await deliverInStorage(storage, coldId);
    expect(await redis.exists(`order:${coldId}:status`)).toBe(0);
    const cold = track(b, coldId);
    expect(await cold.waitForRanks(1)).toEqual([43]);
    expect(cold.statuses()[0]).toMatchObject({ orderId: coldId, status: 'delivered', deliveryStatus: 'delivered' });
  });
});
