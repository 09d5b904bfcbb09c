import { randomUUID } from 'node:crypto';
import { GROUPS, MAX_REDRIVE_BATCH, STREAMS, makeEvent, type EventEnvelope, type PipelineSnapshot } from '@pizza/contracts';
import { createBus, createFaultStore, createJourneyStore, createLogger, createMetrics, PIPELINE_STREAMS, withFaults, type BusMessage, type InspectableBus } from '@pizza/infra';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../app-error';
import { createOperations, type Operations, type OperationsDeps } from './operations';

// The control room's pipeline view and dead-letter tools on both bus adapters, against a real
// Redis and the real in-process bus: the same scenario, the same numbers.
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const event = (): EventEnvelope =>
  makeEvent('order.created', {
    eventId: randomUUID(),
    orderId: randomUUID(),
    source: 'order-service',
    payload: { status: 'created', simulate: false, totalCents: 1299, items: [{ menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 1299 }] },
  });
const wait = { timeout: 30_000, interval: 50 };

describe.each([
  ['in-process bus', () => undefined],
  ['Redis Streams bus', () => redis.url],
])('control room on the %s', (_name, redisUrl) => {
  let bus: InspectableBus;
  let ops: Operations;
  let deps: () => OperationsDeps;
  beforeAll(async () => {
    const url = redisUrl();
    if (url) {
      const { Redis } = await import('ioredis');
      const raw = new Redis(url);
      await raw.flushall();
      raw.disconnect();
    }
    const logger = createLogger('ops-test', 'silent');
    bus = createBus({ ...(url ? { redisUrl: url } : {}), logger, metrics: createMetrics('ops-test'), claimIdleMs: 200 });
    deps = () => ({
      bus,
      inspection: bus.inspection,
      faults: createFaultStore({}),
      journeys: createJourneyStore(),
      orderExists: async () => false,
      // the menu and orders are not part of these tests
      listMenu: async () => [],
      placeOrder: async () => {
        throw new AppError('NOT_FOUND', 'no orders here');
      },
      setStock: async () => {
        throw new AppError('NOT_FOUND', 'no menu here');
      },
      logger,
      metrics: createMetrics('ops-test'),
    });
    ops = createOperations(deps());
  });
  afterAll(async () => {
    await bus?.close();
  });
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  const groupIn = (snapshot: PipelineSnapshot, stream: string, group: string) =>
    snapshot.streams.find((s) => s.name === stream)?.groups.find((g) => g.name === group);

  it('lists every pipeline stream; a group shows lag, pending, oldest pending age and its consumer', async () => {
    for (let i = 0; i < 3; i++) await bus.publish(STREAMS.orders, event());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = bus.consume({ streams: [STREAMS.orders], group: 'inspect-group', consumer: 'inspector-1', concurrency: 1, handler: () => gate });
    closers.push(async () => {
      release();
      await consumer.close();
    });
    await consumer.ready;

    const busy = await vi.waitFor(async () => {
      const snapshot = await ops.pipeline();
      const group = groupIn(snapshot, STREAMS.orders, 'inspect-group');
      if (!group || group.pending < 1) throw new Error('nothing pending yet');
      return snapshot;
    }, wait);
    expect(busy.streams.map((s) => s.name)).toEqual([...PIPELINE_STREAMS]);
    expect(busy.streams.find((s) => s.name === STREAMS.orders)!.length).toBe(3);
    expect(busy.streams.find((s) => s.name === STREAMS.deliveries)).toMatchObject({ name: STREAMS.deliveries, length: 0, entriesAdded: 0, groups: [] });
    const group = groupIn(busy, STREAMS.orders, 'inspect-group')!;
    expect(group.pending + group.lag!).toBe(3);
    expect(group.oldestPendingMs).toBeGreaterThanOrEqual(0);
    expect(group.consumers).toEqual([{ name: 'inspector-1', pending: group.pending, idleMs: expect.any(Number) }]);

    release();
    await vi.waitFor(async () => {
      const done = groupIn(await ops.pipeline(), STREAMS.orders, 'inspect-group')!;
      expect(done).toMatchObject({ pending: 0, lag: 0, oldestPendingMs: 0 });
      expect(done.consumers[0]!.pending).toBe(0);
    }, wait);
  });

  it('a poison message is listed, filtered, redriven unchanged exactly once, then gone (404)', async () => {
    const poison = event();
    let failing = true;
    const seen: BusMessage[] = [];
    const consumer = bus.consume({
      streams: [STREAMS.deliveries],
      group: GROUPS.delivery,
      handler: async (message) => {
        seen.push(message);
        if (failing) throw new Error('kitchen on fire');
      },
    });
    closers.push(() => consumer.close());
    await consumer.ready;
    await bus.publish(STREAMS.deliveries, poison);

    const page = await vi.waitFor(async () => {
      const listed = await ops.listDeadLetters({ stream: STREAMS.deliveries, limit: 50 });
      expect(listed.items).toHaveLength(1);
      return listed;
    }, wait);
    const [letter] = page.items;
    expect(letter).toMatchObject({ stream: STREAMS.deliveries, group: GROUPS.delivery, error: 'kitchen on fire', attempts: 3, envelope: poison });
    expect((await ops.pipeline()).deadLetters).toBe(1);
    expect((await ops.listDeadLetters({ stream: STREAMS.orders, limit: 50 })).items).toEqual([]);
    expect((await ops.listDeadLetters({ group: 'another-group', limit: 50 })).items).toEqual([]);

    failing = false;
    const before = seen.length;
    const redriven = await ops.redrive('loopback', letter!.id);
    expect(redriven.id).toBe(letter!.id);
    await vi.waitFor(() => expect(seen.length).toBe(before + 1), wait);
    expect(seen.at(-1)).toMatchObject({ entryId: redriven.republishedAs, attempt: 1, envelope: poison });
    expect((await ops.listDeadLetters({ limit: 50 })).items).toEqual([]);
    expect((await ops.pipeline()).deadLetters).toBe(0);

    await expect(ops.redrive('loopback', letter!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ops.discard('loopback', letter!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a redrive the bus refuses (bus outage) puts the letter back on the list', async () => {
    const faults = createFaultStore({});
    const failing = createOperations({ ...deps(), bus: withFaults(bus, faults) });
    const consumer = bus.consume({ streams: [STREAMS.simulateDelivery], group: GROUPS.simulator, handler: async () => {
      throw new Error('flat tyre');
    } });
    closers.push(() => consumer.close());
    await consumer.ready;
    const poison = event();
    await bus.publish(STREAMS.simulateDelivery, poison);
    const [letter] = await vi.waitFor(async () => {
      const { items } = await ops.listDeadLetters({ stream: STREAMS.simulateDelivery, limit: 50 });
      expect(items).toHaveLength(1);
      return items;
    }, wait);
    await faults.set({ name: 'bus-outage', params: { seconds: 60 }, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await expect(failing.redrive('loopback', letter!.id)).rejects.toThrow(/bus outage/);
    const { items } = await ops.listDeadLetters({ stream: STREAMS.simulateDelivery, limit: 50 });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ ...letter, id: expect.not.stringMatching(`^${letter!.id}$`) });
    await ops.discard('loopback', items[0]!.id);
  });

  it('discards one dead letter; the others stay, and pages follow the cursor', async () => {
    const consumer = bus.consume({
      streams: [STREAMS.simulateOrder],
      group: GROUPS.simulator,
      handler: async () => {
        throw new Error('no oven');
      },
    });
    closers.push(() => consumer.close());
    await consumer.ready;
    for (let i = 0; i < 3; i++) await bus.publish(STREAMS.simulateOrder, event());
    await vi.waitFor(async () => expect((await ops.listDeadLetters({ limit: 50 })).items).toHaveLength(3), wait);

    const first = await ops.listDeadLetters({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await ops.listDeadLetters({ limit: 2, cursor: first.next! });
    expect(rest).toMatchObject({ items: [expect.anything()], next: null });
    const ids = [...first.items, ...rest.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(3);

    await ops.discard('loopback', ids[1]!);
    expect((await ops.listDeadLetters({ limit: 50 })).items.map((i) => i.id)).toEqual([ids[0], ids[2]]);
    for (const id of [ids[0]!, ids[2]!]) await ops.discard('loopback', id);
    expect((await ops.pipeline()).deadLetters).toBe(0);
  });

  it('filters by a part of the error (any case); redrive all matching redrives only those; one that fails again comes back with its new error', async () => {
    const oven = [event(), event()];
    const tyre = event();
    let phase: 'first' | 'again' | 'healed' = 'first';
    const seen: BusMessage[] = [];
    const consumer = bus.consume({
      streams: [STREAMS.deliveryStatus],
      group: 'status-group',
      handler: async (message) => {
        seen.push(message);
        if (phase === 'healed') return;
        if (phase === 'again') throw new Error('Still broken: oven cold');
        throw new Error(message.envelope.orderId === tyre.orderId ? 'flat tyre' : 'Oven offline');
      },
    });
    closers.push(() => consumer.close());
    await consumer.ready;
    for (const e of [...oven, tyre]) await bus.publish(STREAMS.deliveryStatus, e);
    const first = await vi.waitFor(async () => {
      const { items } = await ops.listDeadLetters({ stream: STREAMS.deliveryStatus, limit: 50 });
      expect(items).toHaveLength(3);
      return items;
    }, wait);

    const ovenLetters = (await ops.listDeadLetters({ error: 'OVEN off', limit: 50 })).items;
    expect(ovenLetters.map((i) => (i.envelope as EventEnvelope).orderId).sort()).toEqual(oven.map((e) => e.orderId).sort());
    expect((await ops.listDeadLetters({ error: 'tyre', group: 'status-group', limit: 50 })).items).toMatchObject([{ error: 'flat tyre', envelope: tyre }]);
    expect((await ops.listDeadLetters({ error: 'tyre', group: 'another-group', limit: 50 })).items).toEqual([]);
    expect(await ops.redriveMatching('loopback', { error: 'no such error' })).toEqual({ redriven: [], more: false });

    phase = 'again';
    const redriven = await ops.redriveMatching('loopback', { stream: STREAMS.deliveryStatus, error: 'oven offline' });
    expect(redriven.more).toBe(false);
    expect(redriven.redriven.map((r) => r.id).sort()).toEqual(ovenLetters.map((i) => i.id).sort());
    // both fail again: back on the list, under new ids, with the new error; the tyre letter untouched
    const again = await vi.waitFor(async () => {
      const { items } = await ops.listDeadLetters({ error: 'still broken', limit: 50 });
      expect(items).toHaveLength(2);
      return items;
    }, wait);
    for (const letter of again) {
      expect(first.map((i) => i.id)).not.toContain(letter.id);
      expect(letter).toMatchObject({ stream: STREAMS.deliveryStatus, group: 'status-group', error: 'Still broken: oven cold', attempts: 3 });
    }
    expect(again.map((i) => (i.envelope as EventEnvelope).orderId).sort()).toEqual(oven.map((e) => e.orderId).sort());
    expect((await ops.pipeline()).deadLetters).toBe(3);

    phase = 'healed';
    const before = seen.length;
    const all = await ops.redriveMatching('loopback', {});
    expect(all.redriven).toHaveLength(3);
    await vi.waitFor(() => expect(seen.length).toBe(before + 3), wait);
    expect(seen.slice(before).map((m) => m.envelope.orderId).sort()).toEqual([...oven, tyre].map((e) => e.orderId).sort());
    expect((await ops.pipeline()).deadLetters).toBe(0);
  });

  it(`redrive all matching stops at ${MAX_REDRIVE_BATCH} per call and says more are left`, async () => {
    const letter = JSON.stringify({ stream: STREAMS.simulateOrder, group: 'nobody', entryId: '1-1', envelope: event(), error: 'bulk', attempts: 3, failedAt: new Date().toISOString() });
    for (let i = 0; i <= MAX_REDRIVE_BATCH; i++) await bus.inspection.append(STREAMS.deadLetters, letter);
    const first = await ops.redriveMatching('loopback', { error: 'bulk' });
    expect(first.redriven).toHaveLength(MAX_REDRIVE_BATCH);
    expect(first.more).toBe(true);
    expect(await ops.redriveMatching('loopback', { error: 'bulk' })).toMatchObject({ redriven: [expect.anything()], more: false });
    expect((await ops.pipeline()).deadLetters).toBe(0);
  });

  it(`redrive all matching pages past thousands of other letters; exactly ${MAX_REDRIVE_BATCH} matching leaves none and says so`, async () => {
    const letterOf = (error: string) =>
      JSON.stringify({ stream: STREAMS.simulateOrder, group: 'nobody', entryId: '1-1', envelope: event(), error, attempts: 3, failedAt: new Date().toISOString() });
    // more than one listing call scans (5,000) before the first matching letter
    for (let i = 0; i < 5_100; i++) await bus.inspection.append(STREAMS.deadLetters, letterOf('other'));
    for (let i = 0; i < MAX_REDRIVE_BATCH; i++) await bus.inspection.append(STREAMS.deadLetters, letterOf('late'));
    const result = await ops.redriveMatching('loopback', { error: 'late' });
    expect(result.redriven).toHaveLength(MAX_REDRIVE_BATCH);
    expect(result.more).toBe(false);
    expect((await ops.pipeline()).deadLetters).toBe(5_100);
  });
});
