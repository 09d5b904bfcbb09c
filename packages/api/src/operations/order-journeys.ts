import { setTimeout as sleep } from 'node:timers/promises';
import { compareHops, isOrderId, type Journey, type JourneyHop, type JourneyStart } from '@pizza/contracts';
import { JOURNEY_WINDOW, type JourneyStore } from '@pizza/infra';
import { AppError } from '../app-error';

/** How often a live journey looks for new hops (the store is shared; its writers are other processes). */
export const JOURNEY_FEED_MS = 250;

const WINDOW_TEXT = `the last ${JOURNEY_WINDOW.orders} orders, ${JOURNEY_WINDOW.ttlMs / 60_000} minutes after their last hop`;

/** The control room's view of order journeys: one order's hops, live, and the orders that start. */
export function createJourneyTools(journeys: JourneyStore, orderExists: (id: string) => Promise<boolean>) {
  const notFound = async (orderId: string) => {
    if (!isOrderId(orderId)) return new AppError('NOT_FOUND', `Order "${orderId.length > 60 ? `${orderId.slice(0, 60)}…` : orderId}" does not exist (not an order id)`);
    return (await orderExists(orderId))
      ? new AppError('NOT_FOUND', `Order "${orderId}" has no journey in the window (${WINDOW_TEXT})`)
      : new AppError('NOT_FOUND', `Order "${orderId}" does not exist`);
  };

  return {
    /** Every hop of an order kept in the window, sorted by time; 404 naming why there is none. */
    async journey(orderId: string): Promise<Journey> {
      const id = orderId.toLowerCase();
      const hops = isOrderId(id) ? await journeys.read(id) : null;
      if (!hops) throw await notFound(orderId);
      return { orderId: id, hops: hops.sort(compareHops) };
    },

    /** The hops of an order as they are written: those already kept first (by time), then each new one. */
    async *follow(orderId: string, signal?: AbortSignal): AsyncGenerator<JourneyHop> {
      const id = orderId.toLowerCase();
      if (!isOrderId(id)) throw await notFound(orderId);
      // the last read, counted: a hop is new when the last read did not have it (lists drop their oldest
      // hops past the cap, so positions shift); identical hops (same ms, same fields) are counted apart
      let seen = new Map<string, number>();
      while (!signal?.aborted) {
        const hops = (await journeys.read(id)) ?? [];
        const left = new Map(seen);
        const fresh: JourneyHop[] = [];
        seen = new Map();
        for (const hop of hops) {
          const key = JSON.stringify(hop);
          seen.set(key, (seen.get(key) ?? 0) + 1);
          const before = left.get(key) ?? 0;
          if (before > 0) left.set(key, before - 1);
          else fresh.push(hop);
        }
        for (const hop of fresh.sort(compareHops)) yield hop;
        await sleep(JOURNEY_FEED_MS, undefined, { signal }).catch(() => undefined);
      }
    },

    /**
     * Orders whose journey starts from now on ("follow the next order placed"). First
     * `{ orderId: null, newest }` once the starting point is read (the caller's wait begins there),
     * then `{ orderId }` for each order that starts (the newest when several start at once). A
     * caller that reconnects passes the `newest` it was given as `after`, so an order that started
     * while it was away is not missed.
     */
    async *starts(after: string | null | undefined, signal?: AbortSignal): AsyncGenerator<JourneyStart> {
      const latest = async () => (await journeys.latest(1))[0] ?? null;
      let newest = await latest();
      if (after !== undefined && newest && newest !== after) {
        yield { orderId: newest };
        return;
      }
      yield { orderId: null, newest };
      while (!signal?.aborted) {
        await sleep(JOURNEY_FEED_MS, undefined, { signal }).catch(() => undefined);
        if (signal?.aborted) return;
        const now = await latest();
        if (now && now !== newest) yield { orderId: (newest = now) };
      }
    },
  };
}
