import { setTimeout as sleep } from 'node:timers/promises';
import { GROUPS, STREAMS } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { orderCreated } from '../bus/bus.contract';
import { createRedisBus } from '../bus/redis-bus';
import type { EventBus } from '../bus/event-bus';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { startRedisServer, type RedisServer } from '../testing';
import { HandlerTimings } from './handler-timings';
import { mergeReports } from './merge-reports';
import { timeBus } from './timed-bus';
import { TIMINGS_KEY, createTimingsBoard, type TimingsBoard } from './timings-board';

// Two delivery processes on a real Redis, each timing its own handler runs; a third process (the
// order service answering the snapshot) sees their timings merged.
let server: RedisServer;
const logger = createLogger('timings-test', 'silent');
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await server?.stop();
});

function process(instance: string): { bus: EventBus; board: TimingsBoard } {
  const timings = new HandlerTimings(instance);
  const raw = createRedisBus({ url: server.url, logger, metrics: createMetrics(instance), claimIdleMs: 60_000, blockMs: 500 });
  const board = createTimingsBoard({ redisUrl: server.url, instance, timings, logger, intervalMs: 200 });
  closers.push(() => raw.close(), () => board.close());
  return { bus: timeBus(raw, timings, 'delivery-service'), board };
}

describe('handler timings shared through Redis', () => {
  it('merges the timings of two consumer processes of one group, and forgets a process that stops', async () => {
    const fast = process('delivery-fast');
    const slow = process('delivery-slow');
    const observer = process('order-service-1');
    let fastRuns = 0;
    let slowRuns = 0;

    // the fast process alone handles the first 20 entries (~0 ms each)…
    const fastConsumer = fast.bus.consume({ streams: [STREAMS.orders], group: GROUPS.delivery, consumer: 'fast', handler: async () => void fastRuns++ });
    await fastConsumer.ready;
    for (let i = 0; i < 20; i++) await observer.bus.publish(STREAMS.orders, orderCreated());
    await vi.waitFor(() => expect(fastRuns).toBe(20), { timeout: 20_000, interval: 50 });
    await fastConsumer.close();

    // …then the slow one the next 4 (60 ms each)
    const slowConsumer = slow.bus.consume({
      streams: [STREAMS.orders],
      group: GROUPS.delivery,
      consumer: 'slow',
      handler: async () => {
        await sleep(60);
        slowRuns++;
      },
    });
    await slowConsumer.ready;
    for (let i = 0; i < 4; i++) await observer.bus.publish(STREAMS.orders, orderCreated());
    await vi.waitFor(() => expect(slowRuns).toBe(4), { timeout: 20_000, interval: 50 });

    const merged = async () => mergeReports(await observer.board.reports());
    await vi.waitFor(
      async () => expect((await merged()).group(STREAMS.orders, GROUPS.delivery)).toMatchObject({ instances: 2, handled: 24, services: ['delivery-service'] }),
      { timeout: 20_000, interval: 100 },
    );
    const stats = (await merged()).group(STREAMS.orders, GROUPS.delivery)!;
    expect(stats.p50Ms).toBeLessThan(20); // most runs were the fast process's
    expect(stats.p99Ms).toBeGreaterThanOrEqual(55); // the slow process's runs are in the tail (a 60 ms timer may fire a little early)
    // the publishing process counted its 24 entries for order-service
    expect((await merged()).producers(STREAMS.orders).map((p) => p.service)).toEqual(['order-service']);

    await slowConsumer.close();
    await slow.board.close();
    await vi.waitFor(async () => expect((await merged()).group(STREAMS.orders, GROUPS.delivery)).toMatchObject({ instances: 1, handled: 20 }), {
      timeout: 20_000,
      interval: 100,
    });
  });

  it('ignores and removes a report older than its lifetime and a field that is not a report', async () => {
    const raw = new Redis(server.url);
    closers.push(async () => raw.disconnect());
    const reader = process('reader');
    await raw.hset(TIMINGS_KEY, 'stale', JSON.stringify({ instance: 'stale', at: Date.now() - 60_000, rateWindowSeconds: 5, readers: [], producers: [] }));
    await raw.hset(TIMINGS_KEY, 'garbage', '{not json');
    const instances = (await reader.board.reports()).map((r) => r.instance);
    expect(instances).toContain('reader');
    expect(instances).not.toContain('stale');
    expect(instances).not.toContain('garbage');
    expect(await raw.hexists(TIMINGS_KEY, 'stale')).toBe(0);
    expect(await raw.hexists(TIMINGS_KEY, 'garbage')).toBe(0);
  });

  it('reads every report in a fixed number of commands however many other keys Redis holds', async () => {
    const raw = new Redis(server.url);
    closers.push(async () => raw.disconnect());
    // what a load run leaves behind: one status-cache key per order
    for (let start = 0; start < 20_000; start += 2_000) {
      const batch = raw.pipeline();
      for (let i = start; i < start + 2_000; i++) batch.set(`pizza:order-status:${i}`, 'x');
      await batch.exec();
    }
    process('many-keys-writer');
    const reader = process('many-keys-reader');
    await vi.waitFor(async () => expect((await reader.board.reports()).map((r) => r.instance)).toContain('many-keys-writer'), { timeout: 20_000, interval: 100 });

    // commands Redis ran for one read; other boards' once-every-200-ms writes may add a few
    const calls = async () => {
      const stats = await raw.info('commandstats');
      return [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].filter(([, name]) => name !== 'info').reduce((sum, [, , n]) => sum + Number(n), 0);
    };
    const before = await calls();
    const instances = (await reader.board.reports()).map((r) => r.instance);
    const used = (await calls()) - before;
    expect(instances).toContain('many-keys-writer');
    expect(used).toBeLessThan(20); // a SCAN of 20,000 keys 200 at a time would be over 100
  });
});
