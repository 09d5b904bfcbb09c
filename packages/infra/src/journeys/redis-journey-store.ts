import type { JourneyHop } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { redisLinkOptions } from '../bus/redis-connection';
import type { JourneyStore, JourneyWindow } from './journey-store';

const KEY_PREFIX = 'pizza:journey:';
/** The order ids of the journeys in the window, newest first: it bounds how many lists exist. */
const INDEX_KEY = 'pizza:journeys';
/** Hops waiting for the next write; past this (Redis slow or gone) new hops are lost, not queued. */
const MAX_QUEUED = 5_000;

/**
 * Appends one order's hops, creating its list (and registering it in the index, which evicts the
 * oldest journey past the window) when it does not exist yet; keeps the newest hops; renews the TTL.
 * KEYS: journey list, index. ARGV: ttl ms, hops per order, orders, order id, key prefix, hops…
 */
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('LREM', KEYS[2], 0, ARGV[4])
  redis.call('LPUSH', KEYS[2], ARGV[4])
  local over = redis.call('LLEN', KEYS[2]) - tonumber(ARGV[3])
  for _ = 1, over do
    local old = redis.call('RPOP', KEYS[2])
    if old then redis.call('DEL', ARGV[5] .. old) end
  end
end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 6))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

type JourneyRedis = Redis & {
  appendHops(journey: string, index: string, ttlMs: number, hopsPerOrder: number, orders: number, orderId: string, prefix: string, ...hops: string[]): Promise<number>;
};

/**
 * The distributed store. `record` only queues; the queue goes to Redis in one pipeline per turn (one
 * script call per order), with at most one pipeline in flight, so recording adds no wait to any
 * request or handler, and a Redis failure only loses hops.
 */
export function createRedisJourneyStore(url: string, window: JourneyWindow, onLost?: (count: number, error?: unknown) => void): JourneyStore {
  const redis = new Redis(url, { ...redisLinkOptions(), lazyConnect: true, connectionName: 'pizza-journeys', maxRetriesPerRequest: 1, commandTimeout: 5_000 }) as JourneyRedis;
  redis.on('error', () => undefined); // a failed write is reported through onLost
  redis.defineCommand('appendHops', { numberOfKeys: 2, lua: APPEND });

  let queue = new Map<string, string[]>();
  let queued = 0;
  let flushing: Promise<void> | null = null;
  let scheduled = false;
  let closed = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    if (queued === 0) return;
    const batch = queue;
    const count = queued;
    queue = new Map();
    queued = 0;
    const pipeline = redis.pipeline() as unknown as JourneyRedis;
    for (const [orderId, hops] of batch) {
      pipeline.appendHops(KEY_PREFIX + orderId, INDEX_KEY, window.ttlMs, window.hopsPerOrder, window.orders, orderId, KEY_PREFIX, ...hops);
    }
    try {
      const results = (await (pipeline as unknown as ReturnType<Redis['pipeline']>).exec()) ?? [];
      const failed = results.find(([error]) => error)?.[0];
      if (failed) onLost?.(count, failed);
    } catch (error) {
      onLost?.(count, error);
    }
  };
  const schedule = () => {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(() => {
      // one pipeline in flight: what arrives meanwhile goes in the next one
      flushing = (flushing ?? Promise.resolve()).then(flush).finally(() => {
        if (queued > 0) schedule();
      });
    });
  };

  return {
    record(orderId, hop) {
      if (closed) return;
      if (queued >= MAX_QUEUED) return onLost?.(1);
      const hops = queue.get(orderId);
      if (hops) hops.push(JSON.stringify(hop));
      else queue.set(orderId, [JSON.stringify(hop)]);
      queued++;
      schedule();
    },
    async read(orderId) {
      const values = await redis.lrange(KEY_PREFIX + orderId, 0, -1);
      return values.length === 0 ? null : values.map((value) => JSON.parse(value) as JourneyHop);
    },
    latest: (limit) => redis.lrange(INDEX_KEY, 0, Math.max(0, limit - 1)),
    // this process holds only the queue; the window itself is in Redis
    retained: () => ({ orders: 0, hops: 0, queued }),
    async close() {
      if (closed) return;
      closed = true;
      await flushing;
      await flush();
      await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}
