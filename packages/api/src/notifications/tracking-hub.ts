import { STREAMS, isOrderId, type TrackingMessage } from '@pizza/contracts';
import type { BusMessage, EventBus, Logger, PushFanOut, Storage, Subscription } from '@pizza/infra';
import { AppError } from '../app-error';
import type { CachedTracking, StatusCache } from './status-cache';
import { RecentStates } from './recent-states';
import { StatusListener } from './status-listener';
import { eventIdOf, isTrackingEvent, projectEvent, rankOf, rankOfEventId, stepsOfOrder } from './status-projection';
import type { TrackedStatus, TrackingService, TrackingSink } from './tracking-service';

export interface TrackingHubDeps {
  bus: EventBus;
  cache: StatusCache;
  storage: Storage;
  logger: Logger;
  /** Messages one follower may leave unread before its stream fails (default 16). */
  maxPendingPerFollower?: number;
  /** Wraps each fan-out (the `push` journey hop, and its span when traced); default: just send. */
  push?: PushFanOut;
  /** Orders whose latest state is kept at hand (default 10,000; tests lower it to see the bound hold). */
  recentOrders?: number;
}

export interface TrackingHub extends TrackingService {
  /**
   * follow(orderId, null) for a follower that takes statuses by callback (the plain tracking
   * socket): the current status, then every newer one as it is fanned out, with no promise left
   * pending per follower. Returns stop(), which detaches it (idempotent).
   */
  watch(orderId: string, sink: TrackingSink): () => void;
  /** The latest known state of an order (cache, else storage), or null when there is no such order. */
  current(orderId: string): Promise<TrackingMessage | null>;
  /** Subscribes to the lifecycle streams (broadcast: this replica sees every entry). */
  start(): Promise<void>;
  /** Ends every follower and unsubscribes. Idempotent. */
  close(): Promise<void>;
  /** Orders with followers in this process, and orders whose events are being applied right now. */
  retained(): { followedOrders: number; ordersInFlight: number; recentStates: number };
}

/** Orders whose events are applied concurrently; more wait (bounds the `chains` map). */
const MAX_ORDERS_IN_FLIGHT = 256;
/** Orders whose latest state each replica keeps at hand (~0.3 KB each): the orders in flight at 150 orders/s with journeys of about a minute. */
const RECENT_ORDERS = 10_000;

const notFound = (orderId: string) => new AppError('NOT_FOUND', `Order "${orderId}" does not exist`);

/**
 * The notifications service's core: folds lifecycle events into the status cache and fans each
 * order's steps out to the followers of that order in this process.
 */
export function createTrackingHub(deps: TrackingHubDeps): TrackingHub {
  const { bus, cache, storage } = deps;
  const log = deps.logger.child({ component: 'tracking-hub' });
  const maxPending = deps.maxPendingPerFollower ?? 16;
  const followers = new Map<string, Set<StatusListener>>();
  const recent = new RecentStates(deps.recentOrders ?? RECENT_ORDERS);
  let subscription: Subscription | null = null;
  let closing: Promise<void> | null = null;

  const attach = (orderId: string, listener: StatusListener) => {
    let set = followers.get(orderId);
    if (!set) followers.set(orderId, (set = new Set()));
    set.add(listener);
  };
  const detach = (orderId: string, listener: StatusListener) => {
    const set = followers.get(orderId);
    set?.delete(listener);
    if (set?.size === 0) followers.delete(orderId);
  };

  const stepsFromStorage = async (orderId: string): Promise<TrackingMessage[]> => {
    const [order, delivery] = await Promise.all([storage.getOrder(orderId), storage.getDeliveryByOrder(orderId)]);
    return order ? stepsOfOrder(order, delivery) : [];
  };

  /** The cached state; on a miss (or a cache failure) rebuilt from storage and written back. */
  const load = async (orderId: string): Promise<CachedTracking | null> => {
    const cached = await cache.read(orderId).catch((err: unknown) => {
      log.warn({ err, orderId }, 'status cache read failed; using storage');
      return null;
    });
    if (cached) return cached;
    const steps = await stepsFromStorage(orderId);
    if (steps.length === 0) return null;
    return cache.record(orderId, steps).catch((err: unknown) => {
      log.warn({ err, orderId }, 'status cache write failed');
      return { latest: steps.at(-1)!, steps };
    });
  };

  /**
   * One cache round trip per event in the usual case: the state to fold the event into is the one this
   * replica recorded last (it sees every event). The cache is read first only for an order this replica
   * has not seen yet, and storage only when the cache does not have it either.
   */
  const applyEvent = async ({ envelope }: BusMessage): Promise<void> => {
    const { orderId } = envelope;
    const known = recent.get(orderId);
    const cached =
      known || envelope.type === 'order.created'
        ? null
        : await cache.read(orderId).catch((err: unknown) => {
            log.warn({ err, orderId }, 'status cache read failed; using storage');
            return null;
          });
    // A cold cache would lose the steps before this event; storage still has them.
    const seed = !known && !cached && envelope.type !== 'order.created' ? await stepsFromStorage(orderId) : [];
    const current = known ?? cached?.latest ?? seed.at(-1) ?? null;
    const next = projectEvent(current, envelope);
    const writes = next ? [...seed, next] : seed;
    // Should the cache have lost an order this replica remembers, it holds the steps from here on
    // (followers still get the latest state; a resume from an older step skips the ones lost).
    // A cache that does not answer (Redis down, a stalled link) must not cost the followers this step:
    // they get it from what this replica knows, and the cache catches up with the next event it takes.
    const state =
      writes.length > 0
        ? await cache.record(orderId, writes).catch((err: unknown) => {
            log.warn({ err, orderId }, 'status cache write failed; pushing without it');
            return { latest: writes.at(-1)!, steps: writes };
          })
        : cached;
    if (!state) return;
    recent.set(orderId, state.latest);
    // Every step, not just this event's: a replica that lost a race still fills its followers' gaps.
    const fanOut = () => {
      const listeners = followers.get(orderId) ?? new Set<StatusListener>();
      for (const listener of listeners) listener.offer(state.steps);
      return listeners.size;
    };
    if (deps.push) deps.push(orderId, state.latest.status, fanOut);
    else fanOut();
  };

  // Events of one order are applied in order; different orders do not wait for each other's cache
  // round trips. Past MAX_ORDERS_IN_FLIGHT orders the subscription waits (backpressure, bounded memory).
  const chains = new Map<string, Promise<void>>();
  const onEvent = async (message: BusMessage): Promise<void> => {
    if (!isTrackingEvent(message.envelope)) return;
    const { orderId, eventId } = message.envelope;
    while (chains.size >= MAX_ORDERS_IN_FLIGHT && !chains.has(orderId)) await Promise.race(chains.values());
    const applied = (chains.get(orderId) ?? Promise.resolve())
      .then(() => applyEvent(message))
      .catch((err: unknown) => log.warn({ err, orderId, eventId }, 'tracking event not applied'));
    chains.set(orderId, applied);
    void applied.then(() => {
      if (chains.get(orderId) === applied) chains.delete(orderId);
    });
  };

  async function* follow(id: string, lastEventId: string | null, signal?: AbortSignal): AsyncGenerator<TrackedStatus> {
    if (!isOrderId(id)) throw notFound(id);
    // ids are stored lower-case; an upper-case spelling (which the REST routes accept) is the same order
    const orderId = id.toLowerCase();
    if (signal?.aborted || closing) return;
    const listener = new StatusListener(maxPending);
    const stop = () => listener.end();
    signal?.addEventListener('abort', stop, { once: true });
    // Listen before reading the state: a change landing in between is queued, never lost.
    attach(orderId, listener);
    try {
      const state = await load(orderId);
      if (!state) throw notFound(orderId);
      const after = rankOfEventId(orderId, lastEventId);
      const replay = after === null ? [state.latest] : state.steps.filter((step) => rankOf(step) > after);
      // from here on only strictly newer steps reach this follower: no repeat, never an older state
      listener.skipThrough(replay.length > 0 ? rankOf(replay.at(-1)!) : (after ?? -1));
      for (const step of replay) yield { eventId: eventIdOf(step), message: step, live: false };
      for (let step = await listener.next(); step; step = await listener.next()) {
        yield { eventId: eventIdOf(step), message: step, live: true };
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      detach(orderId, listener);
    }
  }

  function watch(id: string, sink: TrackingSink): () => void {
    if (!isOrderId(id)) {
      sink.fail(notFound(id));
      return () => {};
    }
    const orderId = id.toLowerCase(); // as in follow()
    if (closing) return () => {};
    const listener = new StatusListener(maxPending);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      listener.end();
      detach(orderId, listener);
    };
    // Listen before reading the state: a change landing in between is queued, never lost.
    attach(orderId, listener);
    const fail = (err: unknown) => {
      if (stopped) return;
      stop();
      sink.fail(err);
    };
    load(orderId)
      .then((state) => {
        if (stopped) return;
        if (!state) return fail(notFound(orderId));
        // more steps queued during the read than a follower may leave waiting: told, as follow() does
        if (listener.failed) return fail(listener.failed);
        listener.skipThrough(rankOf(state.latest));
        sink.status({ eventId: eventIdOf(state.latest), message: state.latest, live: false });
        listener.flow((step) => sink.status({ eventId: eventIdOf(step), message: step, live: true }));
      })
      .catch(fail);
    return stop;
  }

  return {
    follow,
    watch,

    async current(orderId) {
      return isOrderId(orderId) ? ((await load(orderId.toLowerCase()))?.latest ?? null) : null;
    },

    async start() {
      subscription = bus.subscribe([STREAMS.orders, STREAMS.deliveries], onEvent);
      await subscription.ready;
    },

    retained() {
      return { followedOrders: followers.size, ordersInFlight: chains.size, recentStates: recent.size };
    },

    close() {
      closing ??= (async () => {
        for (const set of followers.values()) for (const listener of set) listener.end();
        await subscription?.close();
        await Promise.all(chains.values());
      })();
      return closing;
    },
  };
}
