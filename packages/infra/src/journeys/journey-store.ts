import type { JourneyHop } from '@pizza/contracts';
import { createRedisJourneyStore } from './redis-journey-store';

/**
 * Where the hops of each order's journey are kept, for a bounded window: the newest
 * `JOURNEY_WINDOW.orders` orders, each for `JOURNEY_WINDOW.ttlMs` after its last hop, at most
 * `JOURNEY_WINDOW.hopsPerOrder` hops each (the newest). In Redis (one list per order, shared by
 * every process) in the distributed topology, in memory when embedded.
 */
export interface JourneyStore {
  /** Never throws and never waits: the hop is written in the background, and a failure only loses it. */
  record(orderId: string, hop: JourneyHop): void;
  /** The hops of an order in the order they were written; null when the window holds none. */
  read(orderId: string): Promise<JourneyHop[] | null>;
  /** The ids of the orders whose journeys started last, newest first. */
  latest(limit: number): Promise<string[]>;
  /** What this process holds right now (the bound tests). */
  retained(): { orders: number; hops: number; queued: number };
  /** Writes what is queued (bounded), then lets go. Idempotent. */
  close(): Promise<void>;
}

/**
 * The window. Worst case, held in memory (embedded) or Redis (distributed): 500 × 128 hops of at
 * most ~400 bytes of JSON ≈ 25 MB; a simulated order makes ~50 hops of ~280 bytes, so a full
 * window of ordinary orders is ~7 MB (embedded, on the V8 heap: ~10 MB; ~14 MB at 128 hops each). Under a load run of N orders/s it covers the last 500/N s.
 */
export const JOURNEY_WINDOW = {
  orders: 500,
  hopsPerOrder: 128,
  ttlMs: 30 * 60_000,
} as const;

export type JourneyWindow = { orders: number; hopsPerOrder: number; ttlMs: number };

export interface JourneyStoreOptions {
  redisUrl?: string;
  window?: JourneyWindow;
  /** Called (rarely) when hops are lost: Redis failed, or the write queue was full. */
  onLost?: (count: number, error?: unknown) => void;
}

export function createJourneyStore(options: JourneyStoreOptions = {}): JourneyStore {
  const window = options.window ?? JOURNEY_WINDOW;
  return options.redisUrl ? createRedisJourneyStore(options.redisUrl, window, options.onLost) : createMemoryJourneyStore(window);
}

/** The embedded store: a Map in insertion order of the journeys (oldest first), capped and expiring. */
export function createMemoryJourneyStore(window: JourneyWindow, now: () => number = Date.now): JourneyStore {
  const journeys = new Map<string, { touched: number; hops: JourneyHop[] }>();
  let hopCount = 0;

  const drop = (orderId: string) => {
    hopCount -= journeys.get(orderId)?.hops.length ?? 0;
    journeys.delete(orderId);
  };
  const expire = () => {
    // touched times grow along the map's order only roughly (hops refresh them): check the oldest few
    const limit = now() - window.ttlMs;
    for (const [orderId, journey] of journeys) {
      if (journey.touched > limit) break;
      drop(orderId);
    }
  };
  const live = (orderId: string) => {
    const journey = journeys.get(orderId);
    return journey && journey.touched > now() - window.ttlMs ? journey : undefined;
  };

  return {
    record(orderId, hop) {
      expire();
      // an expired journey still in the map (behind a live one) starts over instead of coming back
      if (journeys.has(orderId) && !live(orderId)) drop(orderId);
      let journey = journeys.get(orderId);
      if (!journey) {
        journeys.set(orderId, (journey = { touched: now(), hops: [] }));
        while (journeys.size > window.orders) drop(journeys.keys().next().value!);
      }
      journey.touched = now();
      journey.hops.push(hop);
      hopCount++;
      if (journey.hops.length > window.hopsPerOrder) {
        journey.hops.shift();
        hopCount--;
      }
    },
    async read(orderId) {
      const journey = live(orderId);
      return journey ? [...journey.hops] : null;
    },
    async latest(limit) {
      expire();
      return [...journeys.keys()].slice(-limit).reverse();
    },
    retained: () => ({ orders: journeys.size, hops: hopCount, queued: 0 }),
    close: async () => {},
  };
}
