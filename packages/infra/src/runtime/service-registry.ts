import { ServiceStatus, type HealthReport } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { redisLinkOptions } from '../bus/redis-connection';
import type { Logger } from '../logger';

const KEY_PREFIX = 'pizza:service:';
/** How long one SCAN of the registry answers every request (the endpoint is public and unthrottled). */
export const REGISTRY_LIST_CACHE_MS = 2000;

export interface ServiceRegistry {
  /** Every live instance: each reports every `intervalMs` and is forgotten after three missed reports. */
  list(): Promise<ServiceStatus[]>;
  close(): Promise<void>;
}

/**
 * Where services say they are alive, so one endpoint can show the health of every service and
 * replica. Distributed: a Redis key per instance with a TTL. Embedded: the one process itself.
 */
export function createServiceRegistry(options: {
  redisUrl?: string;
  instance: string;
  report: () => Promise<HealthReport>;
  logger: Logger;
  intervalMs?: number;
  listCacheMs?: number;
}): ServiceRegistry {
  const { instance, report, logger, intervalMs = 5000, listCacheMs = REGISTRY_LIST_CACHE_MS } = options;
  const current = async (): Promise<ServiceStatus> => ({
    ...(await report()),
    instance,
    at: new Date().toISOString(),
  });
  if (!options.redisUrl) {
    return { list: async () => [await current()], close: async () => {} };
  }

  const redis = new Redis(options.redisUrl, { ...redisLinkOptions(), maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
  redis.on('error', () => {}); // the bus already reports Redis outages; this is best effort
  let closed = false;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    try {
      if (closed) return;
      const status = await current();
      await redis.set(`${KEY_PREFIX}${instance}`, JSON.stringify(status), 'PX', intervalMs * 3);
    } catch (err) {
      logger.debug({ err }, 'service heartbeat not written');
    }
  };
  const tick = () => {
    beating = beat();
  };
  tick();
  const timer = setInterval(tick, intervalMs).unref();

  const scan = async (): Promise<ServiceStatus[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 200);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    const values = keys.length > 0 ? await redis.mget(...keys) : [];
    return values
      .flatMap((value) => {
        const parsed = value ? ServiceStatus.safeParse(JSON.parse(value)) : null;
        return parsed?.success ? [parsed.data] : [];
      })
      .sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));
  };
  // one SCAN in flight at a time, its answer reused for listCacheMs; a failure is not cached
  let cached: { at: number; list: Promise<ServiceStatus[]> } | null = null;

  return {
    list() {
      const now = Date.now();
      if (cached && now - cached.at < listCacheMs) return cached.list;
      const entry = { at: now, list: scan() };
      entry.list.catch(() => {
        if (cached === entry) cached = null;
      });
      cached = entry;
      return entry.list;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await beating; // a beat in flight would write the key again after the DEL
      await redis.del(`${KEY_PREFIX}${instance}`).catch(() => {}); // gone at once, not after the TTL
      redis.disconnect();
    },
  };
}
