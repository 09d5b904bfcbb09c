import { Redis } from 'ioredis';
import { TrackingMessage } from '@pizza/contracts';
import { redisLinkOptions, type Logger } from '@pizza/infra';
import { rankOf } from './status-projection';
import { STATUS_TTL_MS, type CachedTracking, type StatusCache } from './status-cache';

const STEP_PREFIX = 'step:';

export const statusKey = (orderId: string): string => `order:${orderId}:status`;

/**
 * KEYS[1] the order's hash; ARGV[1] TTL in ms; then per step: rank, message JSON, status,
 * deliveryStatus ('' for none), at. A step is written, and moves the latest fields, only if it
 * ranks above the stored `rank`; the whole comparison runs atomically inside Redis.
 */
const RECORD_SCRIPT = `
local stored = redis.call('HGET', KEYS[1], 'rank')
local latest = stored and tonumber(stored) or -1
for i = 2, #ARGV, 5 do
  local rank = tonumber(ARGV[i])
  if rank > latest then
    redis.call('HSET', KEYS[1], 'step:' .. ARGV[i], ARGV[i + 1], 'rank', ARGV[i],
      'status', ARGV[i + 2], 'deliveryStatus', ARGV[i + 3], 'at', ARGV[i + 4])
    latest = rank
  end
end
if latest >= 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return redis.call('HGETALL', KEYS[1])
`;

type ScriptedRedis = Redis & {
  recordTrackingSteps(key: string, ttlMs: number, ...steps: (string | number)[]): Promise<string[]>;
};

export interface RedisStatusCacheOptions {
  url: string;
  logger: Logger;
  ttlMs?: number;
}

/** The status cache of the distributed topology: one Redis hash per order, shared by every replica. */
export function createRedisStatusCache(options: RedisStatusCacheOptions): StatusCache {
  const ttlMs = options.ttlMs ?? STATUS_TTL_MS;
  const log = options.logger.child({ component: 'status-cache' });
  // Its own connection: the bus's connections block on XREAD.
  const redis = new Redis(options.url, { ...redisLinkOptions(), maxRetriesPerRequest: 1, commandTimeout: 5_000 }) as ScriptedRedis;
  redis.defineCommand('recordTrackingSteps', { numberOfKeys: 1, lua: RECORD_SCRIPT });
  let lastError = '';
  redis.on('error', (err: Error) => {
    // ioredis reconnects by itself; log each distinct failure once instead of every retry
    if (err.message !== lastError) log.warn({ err }, 'status cache connection error');
    lastError = err.message;
  });
  redis.on('ready', () => (lastError = ''));
  let closing: Promise<void> | null = null;

  return {
    async read(orderId) {
      return parseHash(await redis.hgetall(statusKey(orderId)));
    },

    async record(orderId, steps) {
      const args = [...steps]
        .sort((a, b) => rankOf(a) - rankOf(b))
        .flatMap((s) => [rankOf(s), JSON.stringify(s), s.status, s.deliveryStatus ?? '', s.at]);
      const reply = await redis.recordTrackingSteps(statusKey(orderId), ttlMs, ...args);
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < reply.length; i += 2) fields[reply[i]!] = reply[i + 1]!;
      const state = parseHash(fields);
      if (!state) throw new Error(`status cache: nothing stored for order ${orderId}`);
      return state;
    },

    async ping() {
      await redis.ping();
    },

    close() {
      closing ??= redis.quit().then(
        () => undefined,
        () => redis.disconnect(),
      );
      return closing;
    },
  };
}

/** The hash's `step:<rank>` fields as messages; fields that do not parse are skipped. */
function parseHash(fields: Record<string, string>): CachedTracking | null {
  const steps: TrackingMessage[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith(STEP_PREFIX)) continue;
    const parsed = TrackingMessage.safeParse(safeJson(value));
    if (parsed.success) steps.push(parsed.data);
  }
  if (steps.length === 0) return null;
  steps.sort((a, b) => rankOf(a) - rankOf(b));
  return { latest: steps.at(-1)!, steps };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
