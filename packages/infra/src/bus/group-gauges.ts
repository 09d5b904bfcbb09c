import type { StreamName } from '@pizza/contracts';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface GroupStats {
  /** Entries delivered to the group and not acknowledged yet. */
  pending: number;
  /** Entries not delivered to the group yet; null when the engine cannot tell. */
  lag: number | null;
}

export interface GroupRef {
  stream: StreamName;
  group: string;
}

/** Refreshes `stream_pending_messages` and `stream_consumer_lag` for every consumed stream/group. */
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
