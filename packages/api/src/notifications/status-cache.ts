import type { TrackingMessage } from '@pizza/contracts';

/** What the cache knows about one order. */
export interface CachedTracking {
  latest: TrackingMessage;
  /** Every step recorded for the order, in rank order; the last one is `latest`. */
  steps: TrackingMessage[];
}

/**
 * The latest tracking state per order plus the steps that led there. Writes are
 * monotonic and atomic: a step is stored, and becomes the latest, only if it ranks above the
 * latest at that moment, so concurrent replicas and late events can never move it backwards.
 */
export interface StatusCache {
  /** null when the order is not cached (never seen, expired or evicted). */
  read(orderId: string): Promise<CachedTracking | null>;
  /** Records steps (in rank order, stale ones skipped) and returns the state after the write. */
  record(orderId: string, steps: readonly TrackingMessage[]): Promise<CachedTracking>;
  /** Throws when the cache does not answer (health). */
  ping(): Promise<void>;
  /** Orders held in this process's memory (an in-process cache only; Redis keeps its own, with a TTL). */
  size?(): number;
  close(): Promise<void>;
}

/** The cache keeps an order for 24 h after its last change. */
export const STATUS_TTL_MS = 24 * 60 * 60 * 1000;

