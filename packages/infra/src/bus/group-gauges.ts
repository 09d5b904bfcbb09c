import type { StreamName } from '@pizza/contracts';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface GroupStats {
  /** Entries delivered to the group and not acknowledged yet. */
  pending: number;
  /** Entries not delivered to the group yet; null when the engine cannot tell. */
  lag: number | null;
  /** Id (`ms-seq`) of the oldest entry pending in the group, or null when none is. */
  oldestPendingId: string | null;
}

export interface GroupRef {
  stream: StreamName;
  group: string;
}

/** Refreshes `stream_pending_messages`, `stream_consumer_lag` and `stream_oldest_pending_age_seconds` for every consumed stream/group. */
export function startGroupGauges(options: {
  metrics: Metrics;
  logger: Logger;
  intervalMs: number;
  groups: () => Iterable<GroupRef>;
  stats: (stream: StreamName, group: string) => Promise<GroupStats>;
}): { stop(): void } {
  const { metrics, logger } = options;
  let running = false;

  const refresh = async () => {
    if (running) return;
    running = true;
    try {
      for (const { stream, group } of options.groups()) {
        const stats = await options.stats(stream, group);
        metrics.streamPending.set({ stream, group }, stats.pending);
        if (stats.lag !== null) metrics.streamLag.set({ stream, group }, stats.lag);
        metrics.streamOldestPending.set({ stream, group }, ageSeconds(stats.oldestPendingId));
      }
    } catch (err) {
      // Gauges are best effort; the consumers report the outage themselves.
      logger.debug({ err }, 'could not refresh stream gauges');
    } finally {
      running = false;
    }
  };

  const timer = setInterval(() => void refresh(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Seconds since an entry id's millisecond part (its time of append); 0 without an entry. */
function ageSeconds(entryId: string | null): number {
  const ms = entryId === null ? NaN : Number(entryId.split('-')[0]);
  return Number.isFinite(ms) ? Math.max(0, (Date.now() - ms) / 1000) : 0;
}
