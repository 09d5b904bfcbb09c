import type { Logger } from '../logger';
import type { Storage } from '../storage/storage-port';

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * Periodically forgets consumer inbox records and published outbox rows older than the
 * retention (a week: far beyond any redelivery, which streams bound by MAXLEN anyway).
 */
export function startHousekeeping(options: { storage: Storage; logger: Logger; retentionMs?: number; intervalMs?: number }): () => void {
  const { storage, logger, retentionMs = WEEK_MS, intervalMs = 3600_000 } = options;
  const run = async () => {
    try {
      const pruned = await storage.pruneHandled(new Date(Date.now() - retentionMs).toISOString());
      if (pruned.inbox + pruned.outbox > 0) logger.info(pruned, 'pruned handled inbox and outbox rows');
    } catch (err) {
      logger.warn({ err }, 'housekeeping failed; will try again');
    }
  };
  const first = setTimeout(() => void run(), Math.min(60_000, intervalMs)).unref();
  const every = setInterval(() => void run(), intervalMs).unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
