import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_STREAM, type EventEnvelope } from '@pizza/contracts';
import { startService, type EventBus, type Storage } from '@pizza/infra';
import { AppError } from '../app-error';
import { JOURNEY_RANKS, deliverInStorage, journeyEvents, placeTestOrder } from './journey.fixture';
import { createMemoryStatusCache } from './memory-status-cache';
import { rankOf, trackedEventId } from './status-projection';
import type { StatusCache } from './status-cache';
import { SlowFollowerError } from './status-listener';
import { createTrackingHub, type TrackingHub } from './tracking-hub';
import type { TrackedStatus } from './tracking-service';

interface Harness {
  hub: TrackingHub;
  cache: StatusCache;
  bus: EventBus;
  storage: Storage;
  publish(...events: EventEnvelope[]): Promise<void>;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** A hub inside a real service runtime: in-process bus, SQLite storage, in-memory cache. */
async function startHub(maxPendingPerFollower?: number, cache: StatusCache = createMemoryStatusCache()): Promise<Harness> {
  let hub!: TrackingHub;
  const dir = mkdtempSync(join(tmpdir(), 'tracking-hub-'));
  const running = await startService({
    service: 'tracking-hub-test',
    defaultPort: 0,
    env: { DATABASE_URL: `sqlite:${join(dir, 'pizza.db')}`, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' },
    modules: (rt) => {
      hub = createTrackingHub({ bus: rt.bus, cache, storage: rt.storage, logger: rt.logger, ...(maxPendingPerFollower ? { maxPendingPerFollower } : {}) });
      return [{ start: () => hub.start(), close: () => hub.close() }];
    },
  });
  stops.push(running.stop);
  const { bus, storage } = running.runtime;
  return {
    hub,
    cache,
    bus,
    storage,
    async publish(...events) {
      for (const event of events) await bus.publish(EVENT_STREAM[event.type], event);
    },
  };
}

/** Pulls one tracked status at a time, failing fast instead of hanging. */
function follower(iterable: AsyncIterable<TrackedStatus>) {
  const iterator = iterable[Symbol.asyncIterator]();
  const next = async (): Promise<TrackedStatus | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no status within 5 s')), 5000);
    });
    try {
      const result = await Promise.race([iterator.next(), timeout]);
      return result.done ? null : result.value;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    next,
    async ranks(count: number): Promise<number[]> {
      const ranks: number[] = [];
      while (ranks.length < count) ranks.push(rankOf((await next())!.message));
      return ranks;
    },
    stop: () => iterator.return?.(undefined),
  };
}

describe('tracking hub', () => {
  it('refuses malformed and unknown order ids with NOT_FOUND', async () => {
    const { hub } = await startHub();
    for (const id of ['nope', '../etc', randomUUID()]) {
      const error = await follower(hub.follow(id, null)).next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('NOT_FOUND');
    }
  });

  it('sends the current state at once (from storage when nothing is cached), then every change in order', async () => {
    const { hub, storage, publish } = await startHub();
    const orderId = await placeTestOrder(storage);
    const events = journeyEvents(orderId);
    const f = follower(hub.follow(orderId, null));
    const first = (await f.next())!;
    expect(first).toMatchObject({ eventId: trackedEventId(orderId, 0), live: false, message: { type: 'status', orderId, status: 'created', deliveryStatus: null } });
    await publish(...events);
    const rest: TrackedStatus[] = [];
    for (let i = 1; i < JOURNEY_RANKS.length; i++) rest.push((await f.next())!);
    expect(rest.map((s) => rankOf(s.message))).toEqual(JOURNEY_RANKS.slice(1));
    expect(rest.map((s) => s.eventId)).toEqual(JOURNEY_RANKS.slice(1).map((rank) => trackedEventId(orderId, rank)));
    expect(rest.every((s) => s.live)).toBe(true);
    expect(rest.map((s) => s.message.at)).toEqual(events.slice(1).map((e) => e.occurredAt));
    await f.stop();
  });

  it('resumes after lastEventId: what was missed, then live, each once', async () => {
    const { hub, storage, publish, cache } = await startHub();
    const orderId = await placeTestOrder(storage);
    const events = journeyEvents(orderId);
    await publish(...events.slice(0, 5));
    await expect.poll(async () => (await cache.read(orderId))?.latest.deliveryStatus).toBe('waiting');
    const first = follower(hub.follow(orderId, null));
    expect(await first.ranks(1)).toEqual([31]);
    await first.stop();

    const resumed = follower(hub.follow(orderId, trackedEventId(orderId, 10)));
    expect(await resumed.ranks(3)).toEqual([20, 30, 31]);
    await publish(...events.slice(5));
    expect(await resumed.ranks(3)).toEqual([32, 33, 43]);
    await resumed.stop();

    const abort = new AbortController();
    const upToDate = follower(hub.follow(orderId, trackedEventId(orderId, 43), abort.signal));
    const pending = upToDate.next();
    await publish(events.at(-1)!); // a duplicate: nothing newer to send
    const caughtUp = follower(hub.follow(orderId, null));
    expect(await caughtUp.ranks(1)).toEqual([43]);
    abort.abort();
    expect(await pending).toBeNull();
  });

  it('a delivered order is sent as delivered at once, from the cache and from storage alone', async () => {
    const { hub, storage, publish, cache } = await startHub();
    const cachedId = await placeTestOrder(storage);
    await publish(...journeyEvents(cachedId));
    await expect.poll(async () => (await cache.read(cachedId))?.latest.status).toBe('delivered');
    expect((await follower(hub.follow(cachedId, null)).next())?.message).toMatchObject({ status: 'delivered', deliveryStatus: 'delivered' });

    const coldId = await placeTestOrder(storage);
    await deliverInStorage(storage, coldId);
    expect(await cache.read(coldId)).toBeNull();
    const cold = (await follower(hub.follow(coldId, null)).next())!;
    expect(cold).toMatchObject({ eventId: trackedEventId(coldId, 43), live: false, message: { orderId: coldId, status: 'delivered', deliveryStatus: 'delivered' } });
    // the steps were rebuilt from storage (order history + delivery record), so resumption works too
    expect(await follower(hub.follow(coldId, trackedEventId(coldId, 10))).ranks(JOURNEY_RANKS.length - 2)).toEqual(JOURNEY_RANKS.slice(2));
  });

  it('keeps the earlier steps when the first event it sees is not order.created', async () => {
    const { storage, publish, cache } = await startHub();
    const orderId = await placeTestOrder(storage);
    await publish(journeyEvents(orderId)[1]!); // confirmed, with nothing cached yet
    await expect.poll(async () => (await cache.read(orderId))?.steps.map((s) => s.status)).toEqual(['created', 'confirmed']);
  });

  it('makes one cache call per event of an order it has seen created: a write, no read before it', async () => {
    const inner = createMemoryStatusCache();
    const calls: string[] = [];
    const counted: StatusCache = {
      read: (orderId) => (calls.push('read'), inner.read(orderId)),
      record: (orderId, steps) => (calls.push('record'), inner.record(orderId, steps)),
      ping: () => inner.ping(),
      close: () => inner.close(),
    };
    const { storage, publish } = await startHub(undefined, counted);
    const orderId = await placeTestOrder(storage);
    const events = journeyEvents(orderId);
    await publish(...events);
    await expect.poll(async () => (await inner.read(orderId))?.latest.status).toBe('delivered');
    expect(calls).toEqual(events.map(() => 'record'));
  });

  it('still pushes every step while the status cache fails, and caches again once it answers', async () => {
    const inner = createMemoryStatusCache();
    let failing = false;
    const flaky: StatusCache = {
      read: (orderId) => (failing ? Promise.reject(new Error('cache down')) : inner.read(orderId)),
      record: (orderId, steps) => (failing ? Promise.reject(new Error('cache down')) : inner.record(orderId, steps)),
      ping: () => inner.ping(),
      close: () => inner.close(),
    };
    const { hub, storage, publish } = await startHub(undefined, flaky);
    const orderId = await placeTestOrder(storage);
    const events = journeyEvents(orderId);
    const f = follower(hub.follow(orderId, null));
    expect(await f.ranks(1)).toEqual([0]);
    failing = true;
    await publish(...events.slice(1, 4));
    expect(await f.ranks(3)).toEqual(JOURNEY_RANKS.slice(1, 4));
    failing = false;
    await publish(...events.slice(4));
    expect(await f.ranks(JOURNEY_RANKS.length - 4)).toEqual(JOURNEY_RANKS.slice(4));
    await expect.poll(async () => (await inner.read(orderId))?.latest.status).toBe('delivered');
    await f.stop();
  });

  it('never hands out an older status after a newer one when events arrive out of order', async () => {
    const { hub, storage, publish } = await startHub();
    const orderId = await placeTestOrder(storage);
    const [created, confirmed, preparing, outForDelivery, waiting, onTheWay] = journeyEvents(orderId);
    const f = follower(hub.follow(orderId, null));
    expect(await f.ranks(1)).toEqual([0]);
    await publish(created!, preparing!, confirmed!, onTheWay!, outForDelivery!, waiting!);
    expect(await f.ranks(2)).toEqual([20, 32]);
    const late = follower(hub.follow(orderId, trackedEventId(orderId, 0)));
    expect(await late.ranks(2)).toEqual([20, 32]);
    await f.stop();
    await late.stop();
  });

  it('ends a follower that does not keep up instead of buffering without bound', async () => {
    const { hub, storage, publish } = await startHub(1);
    const orderId = await placeTestOrder(storage);
    const events = journeyEvents(orderId);
    const slow = follower(hub.follow(orderId, null));
    const fast = follower(hub.follow(orderId, null));
    expect(await slow.ranks(1)).toEqual([0]);
    expect(await fast.ranks(1)).toEqual([0]);
    await publish(events[1]!);
    expect(await fast.ranks(1)).toEqual([10]);
    await publish(events[2]!);
    expect(await fast.ranks(1)).toEqual([20]);
    await expect(slow.next()).rejects.toBeInstanceOf(SlowFollowerError);
  });

  it('stops on abort and on close', async () => {
    const { hub, storage } = await startHub();
    const orderId = await placeTestOrder(storage);
    const abort = new AbortController();
    const aborted = follower(hub.follow(orderId, null, abort.signal));
    expect(await aborted.ranks(1)).toEqual([0]);
    const pending = aborted.next();
    abort.abort();
    expect(await pending).toBeNull();

    const open = follower(hub.follow(orderId, null));
    expect(await open.ranks(1)).toEqual([0]);
    const waiting = open.next();
    await hub.close();
    expect(await waiting).toBeNull();
  });

  describe('watch (statuses by callback)', () => {
    /** Records what watch() hands over. */
    function sink() {
      const statuses: TrackedStatus[] = [];
      const failures: unknown[] = [];
      return { statuses, failures, ranks: () => statuses.map((s) => rankOf(s.message)), status: (s: TrackedStatus) => void statuses.push(s), fail: (e: unknown) => void failures.push(e) };
    }

    it('hands over the current state, then every change in order, each once and live', async () => {
      const { hub, storage, publish } = await startHub();
      const orderId = await placeTestOrder(storage);
      const events = journeyEvents(orderId);
      const s = sink();
      const stop = hub.watch(orderId, s);
      await expect.poll(() => s.statuses.length, { timeout: 10_000 }).toBe(1);
      expect(s.statuses[0]).toMatchObject({ eventId: trackedEventId(orderId, 0), live: false, message: { status: 'created' } });
      await publish(...events, events[2]!); // with a duplicate
      await expect.poll(() => s.ranks(), { timeout: 10_000 }).toEqual(JOURNEY_RANKS);
      expect(s.statuses.slice(1).every((x) => x.live)).toBe(true);
      expect(s.failures).toEqual([]);
      stop();
      expect(hub.retained().followedOrders).toBe(0);
    });

    /** A status cache whose reads answer only after `release()`, with what it held when they began: changes land meanwhile. */
    function gatedCache() {
      const inner = createMemoryStatusCache();
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let reads = 0;
      const cache: StatusCache = {
        read: async (orderId) => {
          reads += 1;
          const state = await inner.read(orderId); // what the cache held when the read began
          await gate;
          return state;
        },
        record: (orderId, steps) => inner.record(orderId, steps),
        ping: () => inner.ping(),
        close: () => inner.close(),
      };
      return { cache, inner, release: () => open(), reads: () => reads };
    }

    it('loses no change that lands while the current state is being read, and repeats none', async () => {
      const gated = gatedCache();
      const { hub, storage, publish } = await startHub(undefined, gated.cache);
      const orderId = await placeTestOrder(storage);
      const events = journeyEvents(orderId);
      await publish(events[0]!); // order.created: recorded without a read
      await expect.poll(async () => (await gated.inner.read(orderId))?.latest.status, { timeout: 10_000 }).toBe('created');
      const s = sink();
      hub.watch(orderId, s);
      await expect.poll(() => gated.reads(), { timeout: 10_000 }).toBe(1); // the follower is reading
      await publish(...events.slice(1, 4));
      await expect.poll(async () => (await gated.inner.read(orderId))?.steps.length, { timeout: 10_000 }).toBe(4);
      expect(s.statuses).toEqual([]);
      gated.release();
      // the state read (created), then the three changes that were queued meanwhile, then live
      await expect.poll(() => s.ranks(), { timeout: 10_000 }).toEqual(JOURNEY_RANKS.slice(0, 4));
      await publish(events[4]!);
      await expect.poll(() => s.ranks(), { timeout: 10_000 }).toEqual(JOURNEY_RANKS.slice(0, 5));
    });

    it('tells a follower that more steps queued during the read than it may leave waiting (SlowFollowerError), as follow() does', async () => {
      const gated = gatedCache();
      const { hub, storage, publish } = await startHub(1, gated.cache);
      const orderId = await placeTestOrder(storage);
      const events = journeyEvents(orderId);
      await publish(events[0]!);
      await expect.poll(async () => (await gated.inner.read(orderId))?.latest.status, { timeout: 10_000 }).toBe('created');
      const s = sink();
      hub.watch(orderId, s);
      await expect.poll(() => gated.reads(), { timeout: 10_000 }).toBe(1);
      await publish(...events.slice(1, 4));
      await expect.poll(async () => (await gated.inner.read(orderId))?.steps.length, { timeout: 10_000 }).toBe(4);
      gated.release();
      await expect.poll(() => s.failures.length, { timeout: 10_000 }).toBe(1);
      expect(s.failures[0]).toBeInstanceOf(SlowFollowerError);
      expect(s.statuses).toEqual([]);
      expect(hub.retained().followedOrders).toBe(0);
    });

    it('takes an upper-case spelling of an order id as the same order', async () => {
      const { hub, storage, publish } = await startHub();
      const orderId = await placeTestOrder(storage);
      const s = sink();
      const stop = hub.watch(orderId.toUpperCase(), s);
      await expect.poll(() => s.statuses.length, { timeout: 10_000 }).toBe(1);
      await publish(...journeyEvents(orderId).slice(1, 2));
      await expect.poll(() => s.ranks(), { timeout: 10_000 }).toEqual(JOURNEY_RANKS.slice(0, 2));
      expect(s.statuses[0]!.message.orderId).toBe(orderId);
      stop();
      expect(hub.retained().followedOrders).toBe(0);
    });

    it('fails with NOT_FOUND for malformed and unknown ids, and hands over nothing', async () => {
      const { hub } = await startHub();
      for (const id of ['nope', randomUUID()]) {
        const s = sink();
        hub.watch(id, s);
        await expect.poll(() => s.failures.length, { timeout: 10_000 }).toBe(1);
        expect((s.failures[0] as AppError).code).toBe('NOT_FOUND');
        expect(s.statuses).toEqual([]);
      }
      expect(hub.retained().followedOrders).toBe(0);
    });

    it('hands over nothing after stop(), also when stopped before the state was read', async () => {
      const { hub, storage, publish } = await startHub();
      const orderId = await placeTestOrder(storage);
      const early = sink();
      hub.watch(orderId, early)();
      const late = sink();
      const stopLate = hub.watch(orderId, late);
      await expect.poll(() => late.statuses.length, { timeout: 10_000 }).toBe(1);
      stopLate();
      stopLate(); // idempotent
      await publish(...journeyEvents(orderId));
      const witness = sink();
      hub.watch(orderId, witness);
      await expect.poll(() => witness.statuses.at(-1)?.message.status, { timeout: 10_000 }).toBe('delivered');
      expect(early.statuses).toEqual([]);
      expect(late.ranks()).toEqual([0]);
    });
  });
});

