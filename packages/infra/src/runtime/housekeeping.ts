import type { Logger } from '../logger';
import { IDEMPOTENCY_WINDOW_MS, type Storage } from '../storage/storage-port';

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * Periodically forgets consumer inbox records and published outbox rows older than the
 * retention (a week: far beyond any redelivery, which streams bound by MAXLEN anyway), and
 * Idempotency-Keys older than their window (24 h).
 */
export function startHousekeeping(options: { storage: Storage; logger: Logger; retentionMs?: number; intervalMs?: number }): () => void {
  const { storage, logger, retentionMs = WEEK_MS, intervalMs = 3600_000 } = options;
  const run = async () => {
    try {
      const pruned = await storage.pruneHandled(new Date(Date.now() - retentionMs).toISOString());
      if (pruned.inbox + pruned.outbox > 0) logger.info(pruned, 'pruned handled inbox and outbox rows');
      const keys = await storage.pruneIdempotencyKeys(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString());
      if (keys > 0) logger.info({ idempotencyKeys: keys }, 'pruned expired Idempotency-Keys');
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
