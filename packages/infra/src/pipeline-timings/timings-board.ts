import { Redis } from 'ioredis';
import { redisLinkOptions } from '../bus/redis-connection';
import type { Logger } from '../logger';
import type { HandlerTimings, TimingsReport } from './handler-timings';

const KEY_PREFIX = 'pizza:pipeline-timings:';
/** How often each process shares its summary. */
export const TIMINGS_REPORT_MS = 1_000;
/** A report older than this is ignored (its process stopped or lost Redis); its key expires then too. */
export const TIMINGS_REPORT_TTL_MS = 5_000;

/** Where the pipeline snapshot finds what every process measured. */
export interface TimingsBoard {
  /** The fresh report of every process (this one included). */
  reports(): Promise<TimingsReport[]>;
  close(): Promise<void>;
}

function isReport(value: unknown): value is TimingsReport {
  const r = value as TimingsReport | null;
  return !!r && typeof r.instance === 'string' && typeof r.at === 'number' && Array.isArray(r.readers) && Array.isArray(r.producers) && r.rateWindowSeconds > 0;
}

/**
 * Embedded: this process's own report. Distributed: each process writes its report to Redis every
 * second under its own key (expiring after a few seconds), and `reports` reads them all — one SET
 * per process per second, and nothing per message.
 */
export function createTimingsBoard(options: { redisUrl?: string; instance: string; timings: HandlerTimings; logger: Logger; intervalMs?: number }): TimingsBoard {
  const { timings, instance, logger } = options;
  if (!options.redisUrl) return { reports: async () => [timings.report()], close: async () => {} };

  const redis = new Redis(options.redisUrl, { ...redisLinkOptions(), connectionName: 'pizza-pipeline-timings', maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
  redis.on('error', () => {}); // best effort: the bus reports Redis outages
  const key = `${KEY_PREFIX}${instance}`;
  let writing: Promise<unknown> = Promise.resolve();
  let closed = false;
  const write = () => {
    if (closed) return;
    writing = redis.set(key, JSON.stringify(timings.report()), 'PX', TIMINGS_REPORT_TTL_MS).catch((err: unknown) => logger.debug({ err }, 'pipeline timings not shared'));
  };
  write();
  const timer = setInterval(write, options.intervalMs ?? TIMINGS_REPORT_MS).unref();

  return {
    async reports() {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${KEY_PREFIX}*`, 'COUNT', 200);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      const others = keys.filter((k) => k !== key);
      const values = others.length > 0 ? await redis.mget(...others) : [];
      const now = Date.now();
      const fresh = values.flatMap((value) => {
        try {
          const report: unknown = value ? JSON.parse(value) : null;
          return isReport(report) && now - report.at < TIMINGS_REPORT_TTL_MS ? [report] : [];
        } catch {
          return [];
        }
      });
      return [timings.report(), ...fresh]; // this process's own numbers, fresher than its key
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await writing;
      await redis.del(key).catch(() => {});
      redis.disconnect();
    },
  };
}
