import { STREAMS, type ItemStock } from '@pizza/contracts';
import type { BusMessage, EventBus, Logger, Storage, Subscription } from '@pizza/infra';

/** What the `menu.stock` subscription needs: every item's stock at once, then the items whose stock changed. */
export interface StockFeed {
  follow(signal?: AbortSignal): AsyncIterable<ItemStock[]>;
}

export interface MenuStockFeed extends StockFeed {
  /** Listens for orders on the bus (broadcast: every replica sees each one). */
  start(): Promise<void>;
  /** Ends every follower and unsubscribes. Idempotent. */
  close(): Promise<void>;
}

/** One follower's unsent changes: the newest stock per item, so a slow reader costs at most one entry per item. */
class StockFollower {
  readonly pending = new Map<string, number>();
  ended = false;
  private wake: (() => void) | null = null;

  offer(changes: readonly ItemStock[]): void {
    for (const { id, stock } of changes) this.pending.set(id, stock);
    this.signal();
  }
  end(): void {
    this.ended = true;
    this.signal();
  }
  async next(): Promise<ItemStock[] | null> {
    while (this.pending.size === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.ended) return null;
    const changes = [...this.pending].map(([id, stock]) => ({ id, stock }));
    this.pending.clear();
    return changes;
  }
  private signal(): void {
    this.wake?.();
    this.wake = null;
  }
}

/** How often the feed re-reads the menu while someone follows it: stock set by an operator publishes no event. */
const RECHECK_MS = 1000;

/**
 * Live stock for open menu pages. While anyone follows, an order taking stock (`order.created`)
 * makes the feed read the menu once (reads that pile up are coalesced) and push only the items
 * that changed, and the feed re-reads it every second too (one small read per process, not per
 * page), so stock set from the control room reaches open pages. While nobody follows, it reads
 * nothing.
 */
export function createMenuStockFeed(deps: { bus: EventBus; storage: Storage; logger: Logger }): MenuStockFeed {
  const { bus, storage } = deps;
  const log = deps.logger.child({ component: 'menu-stock-feed' });
  const followers = new Set<StockFollower>();
  let known = new Map<string, number>();
  let subscription: Subscription | null = null;
  let refreshing: Promise<void> | null = null;
  let again = false;
  let recheck: ReturnType<typeof setInterval> | null = null;

  const read = async () => new Map((await storage.listMenu()).map((item) => [item.id, item.stock]));

  const refresh = async () => {
    do {
      again = false;
      const latest = await read();
      const changes = [...latest].filter(([id, stock]) => known.get(id) !== stock).map(([id, stock]) => ({ id, stock }));
      known = latest;
      if (changes.length > 0) for (const follower of followers) follower.offer(changes);
    } while (again);
  };
  const scheduleRefresh = () => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = refresh()
      .catch((err: unknown) => log.warn({ err }, 'stock refresh failed'))
      .finally(() => (refreshing = null));
  };

  // Nobody following, nothing to push and no read: `known` is forgotten instead, so that the
  // first refresh after someone follows again offers every item (a value that went away and came
  // back while nobody followed is not mistaken for unchanged).
  const onEvent = async ({ envelope }: BusMessage) => {
    if (envelope.type !== 'order.created') return;
    if (followers.size > 0) scheduleRefresh();
    else known = new Map();
  };

  return {
    async *follow(signal) {
      const follower = new StockFollower();
      const stop = () => follower.end();
      signal?.addEventListener('abort', stop, { once: true });
      followers.add(follower);
      try {
        // the whole menu's stock first (fresh from storage), then only changes
        yield [...(await read())].map(([id, stock]) => ({ id, stock }));
        for (let changes = await follower.next(); changes; changes = await follower.next()) yield changes;
      } finally {
        signal?.removeEventListener('abort', stop);
        followers.delete(follower);
        // stock set while nobody follows publishes no event: start from nothing again
        if (followers.size === 0) known = new Map();
      }
    },
    async start() {
      known = await read();
      subscription = bus.subscribe([STREAMS.orders], onEvent);
      await subscription.ready;
      recheck = setInterval(() => followers.size > 0 && scheduleRefresh(), RECHECK_MS);
      recheck.unref();
    },
    async close() {
      if (recheck) clearInterval(recheck);
      for (const follower of followers) follower.end();
      await subscription?.close();
      subscription = null;
      await refreshing;
    },
  };
}
