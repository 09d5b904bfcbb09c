import { Redis } from 'ioredis';
import { redisLinkOptions } from '../bus/redis-connection';
import type { Logger } from '../logger';
import type { HandlerTimings, TimingsReport } from './handler-timings';

/** One hash: field = process instance, value = its latest report (JSON, with the time it was made). */
export const TIMINGS_KEY = 'pizza:pipeline-timings';
/** How often each process shares its summary. */
export const TIMINGS_REPORT_MS = 1_000;
/** A report older than this is ignored and removed (its process stopped or lost Redis). */
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
 * Embedded: this process's own report. Distributed: each process writes its report every second
 * into one Redis hash (its own field), and `reports` reads the whole hash with one HGETALL — however
 * many other keys Redis holds. A field older than the report lifetime (a stopped process) is
 * ignored and deleted; the hash itself expires when no process has written for that long. One HSET
 * per process per second, and nothing per message.
 */
export function createTimingsBoard(options: { redisUrl?: string; instance: string; timings: HandlerTimings; logger: Logger; intervalMs?: number }): TimingsBoard {
  const { timings, instance, logger } = options;
  if (!options.redisUrl) return { reports: async () => [timings.report()], close: async () => {} };

  const redis = new Redis(options.redisUrl, { ...redisLinkOptions(), connectionName: 'pizza-pipeline-timings', maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
  redis.on('error', () => {}); // best effort: the bus reports Redis outages
  let writing: Promise<unknown> = Promise.resolve();
  let closed = false;
  const write = () => {
    if (closed) return;
    writing = redis
      .multi()
      .hset(TIMINGS_KEY, instance, JSON.stringify(timings.report()))
      .pexpire(TIMINGS_KEY, TIMINGS_REPORT_TTL_MS)
      .exec()
      .catch((err: unknown) => logger.debug({ err }, 'pipeline timings not shared'));
  };
  write();
  const timer = setInterval(write, options.intervalMs ?? TIMINGS_REPORT_MS).unref();

  return {
    async reports() {
      const fields = await redis.hgetall(TIMINGS_KEY);
      const now = Date.now();
      const fresh: TimingsReport[] = [];
      const stale: string[] = [];
      for (const [field, value] of Object.entries(fields)) {
        if (field === instance) continue;
        let report: unknown = null;
        try {
          report = JSON.parse(value);
        } catch {
          // not a report: removed below
        }
        if (isReport(report) && now - report.at < TIMINGS_REPORT_TTL_MS) fresh.push(report);
        else stale.push(field);
      }
      if (stale.length > 0) await redis.hdel(TIMINGS_KEY, ...stale).catch(() => {});
      return [timings.report(), ...fresh]; // this process's own numbers, fresher than its field
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await writing;
      await redis.hdel(TIMINGS_KEY, instance).catch(() => {});
      redis.disconnect();
    },
  };
}
