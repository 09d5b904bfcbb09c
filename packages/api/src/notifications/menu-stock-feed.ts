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
  /** The stock this follower has been given (its first read, then each refresh), null until its first read is in. */
  sent: ReadonlyMap<string, number> | null = null;
  /** The number of its first read: a refresh that started before it must not send it older values. */
  since = 0;
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
  let subscription: Subscription | null = null;
  let refreshing: Promise<void> | null = null;
  let again = false;
  let recheck: ReturnType<typeof setInterval> | null = null;
  // numbers the reads, so that a follower is compared only with reads newer than its own first one
  let reads = 0;

  const read = async () => new Map((await storage.listMenu()).map((item) => [item.id, item.stock]));

  // each follower is compared with what it was given itself: a level that changed and came back
  // while it was not following, or before its first read, is not mistaken for unchanged
  const refresh = async () => {
    do {
      again = false;
      const number = ++reads;
      const latest = await read();
      for (const follower of followers) {
        if (follower.sent === null || follower.since > number) continue;
        const sent = follower.sent;
        const changes = [...latest].filter(([id, stock]) => sent.get(id) !== stock).map(([id, stock]) => ({ id, stock }));
        follower.sent = latest;
        if (changes.length > 0) follower.offer(changes);
      }
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

  // nobody following, nothing to push: no read
  const onEvent = async ({ envelope }: BusMessage) => {
    if (envelope.type === 'order.created' && followers.size > 0) scheduleRefresh();
  };

  return {
    async *follow(signal) {
      const follower = new StockFollower();
      const stop = () => follower.end();
      signal?.addEventListener('abort', stop, { once: true });
      followers.add(follower);
      try {
        // the whole menu's stock first (fresh from storage), then only changes
        follower.since = ++reads;
        const first = await read();
        // from here on refreshes compare with this (one that ended during the read skipped this
        // follower; the recheck within a second catches up with what it saw)
        follower.sent = first;
        yield [...first].map(([id, stock]) => ({ id, stock }));
        for (let changes = await follower.next(); changes; changes = await follower.next()) yield changes;
      } finally {
        signal?.removeEventListener('abort', stop);
        followers.delete(follower);
      }
    },
    async start() {
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
