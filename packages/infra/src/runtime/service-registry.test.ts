import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { startRedisServer, type RedisServer } from '../testing';
import { createServiceRegistry, type ServiceRegistry } from './service-registry';

let server: RedisServer;
let redis: Redis;
let registry: ServiceRegistry;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  registry = createServiceRegistry({
    redisUrl: server.url,
    instance: 'order-service-test-1',
    report: async () => ({ status: 'ok', service: 'order-service', checks: {} }),
    logger: createLogger('registry-test', 'silent'),
    listCacheMs: 60_000,
  });
});

afterAll(async () => {
  await registry?.close();
  redis?.disconnect();
  await server?.stop();
});

/** How many SCAN commands the server has run so far. */
async function scans(): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_scan:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

it('answers many list requests with one SCAN while the cached list is fresh', async () => {
  // wait for the first heartbeat, so the list has the instance in it
  const deadline = Date.now() + 30_000;
  while (!(await redis.exists('pizza:service:order-service-test-1'))) {
    if (Date.now() > deadline) throw new Error('no heartbeat within 30 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const before = await scans();
  const lists = await Promise.all(Array.from({ length: 20 }, () => registry.list()));
  lists.push(await registry.list());
  expect(lists.every((list) => list.length === 1 && list[0]!.instance === 'order-service-test-1')).toBe(true);
  expect((await scans()) - before).toBe(1);
});
