import { randomUUID } from 'node:crypto';
import type { JourneyHop } from '@pizza/contracts';
import { createMemoryJourneyStore } from '@pizza/infra';
import { describe, expect, it } from 'vitest';
import { createJourneyTools } from './order-journeys';

const hop = (kind: JourneyHop['kind'], at: string): JourneyHop => ({ at, kind, service: 'order-service', instance: 'i-1' });

describe('order journeys (control room)', () => {
  it('answers the hops sorted by time, whatever order the processes wrote them in', async () => {
    const store = createMemoryJourneyStore({ orders: 5, hopsPerOrder: 10, ttlMs: 60_000 });
    const id = randomUUID();
    store.record(id, hop('commit', '2026-01-01T00:00:00.002Z'));
    store.record(id, hop('process', '2026-01-01T00:00:00.010Z'));
    store.record(id, hop('http', '2026-01-01T00:00:00.001Z'));
    store.record(id, hop('publish', '2026-01-01T00:00:00.005Z'));
    const tools = createJourneyTools(store, async () => true);
    const journey = await tools.journey(id.toUpperCase());
    expect(journey.orderId).toBe(id);
    expect(journey.hops.map((h) => h.kind)).toEqual(['http', 'commit', 'publish', 'process']);
  });

  it('says whether an order without a journey is unknown or only outside the window', async () => {
    const store = createMemoryJourneyStore({ orders: 1, hopsPerOrder: 10, ttlMs: 60_000 });
    const [evicted, kept] = [randomUUID(), randomUUID()];
    store.record(evicted, hop('commit', '2026-01-01T00:00:00.000Z'));
    store.record(kept, hop('commit', '2026-01-01T00:00:01.000Z'));
    const tools = createJourneyTools(store, async (id) => id === evicted);
    await expect(tools.journey(evicted)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no journey in the window') });
    await expect(tools.journey(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('does not exist') });
    await expect(tools.journey('42')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('not an order id') });
  });

  it('follows a journey: the kept hops by time, then each new one once; starts name the next order', async () => {
    const store = createMemoryJourneyStore({ orders: 5, hopsPerOrder: 10, ttlMs: 60_000 });
    const id = randomUUID();
    store.record(id, hop('commit', '2026-01-01T00:00:00.002Z'));
    store.record(id, hop('http', '2026-01-01T00:00:00.001Z'));
    const tools = createJourneyTools(store, async () => true);
    const abort = new AbortController();
    const follow = tools.follow(id, abort.signal);
    const starts = tools.starts(undefined, abort.signal);
    // listening from here: the order seen last is the starting point
    expect((await starts.next()).value).toEqual({ orderId: null, newest: id });
    const nextStart = starts.next();
    expect((await follow.next()).value).toMatchObject({ kind: 'http' });
    expect((await follow.next()).value).toMatchObject({ kind: 'commit' });
    store.record(id, hop('publish', '2026-01-01T00:00:00.003Z'));
    expect((await follow.next()).value).toMatchObject({ kind: 'publish' });
    const next = randomUUID();
    store.record(next, hop('commit', '2026-01-01T00:00:02.000Z'));
    expect((await nextStart).value).toEqual({ orderId: next });
    abort.abort();
    expect((await follow.next()).done).toBe(true);
  });

  it('starts, resumed with the newest order it was given, names an order that started in between at once', async () => {
    const store = createMemoryJourneyStore({ orders: 5, hopsPerOrder: 10, ttlMs: 60_000 });
    const tools = createJourneyTools(store, async () => true);
    const abort = new AbortController();
    const first = tools.starts(undefined, abort.signal);
    expect((await first.next()).value).toEqual({ orderId: null, newest: null });
    await first.return(undefined); // the connection drops
    const missed = randomUUID();
    store.record(missed, hop('commit', '2026-01-01T00:00:00.001Z'));
    const resumed = tools.starts(null, abort.signal);
    expect((await resumed.next()).value).toEqual({ orderId: missed });
    // nothing new since `after`: listening again from there
    const again = tools.starts(missed, abort.signal);
    expect((await again.next()).value).toEqual({ orderId: null, newest: missed });
    abort.abort();
  });

  it('follows identical hops apart: a twin written later is still new', async () => {
    const store = createMemoryJourneyStore({ orders: 5, hopsPerOrder: 10, ttlMs: 60_000 });
    const id = randomUUID();
    const twin = hop('push', '2026-01-01T00:00:00.001Z');
    store.record(id, twin);
    const abort = new AbortController();
    const follow = createJourneyTools(store, async () => true).follow(id, abort.signal);
    expect((await follow.next()).value).toEqual(twin);
    store.record(id, { ...twin });
    expect((await follow.next()).value).toEqual(twin);
    abort.abort();
    expect((await follow.next()).done).toBe(true);
  });
});
