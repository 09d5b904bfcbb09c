import { DeadLetter, STREAMS } from '@pizza/contracts';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { describeBusContract, orderCreated } from './bus.contract';
import { READ_ENTRIES_BATCH, createMemoryBus } from './memory-bus';

const logger = createLogger('bus-test', 'silent');

describeBusContract('in-process bus', async ({ claimIdleMs, gaugeIntervalMs }) => {
  const metrics = createMetrics('bus-test');
  const bus = createMemoryBus({ logger, metrics, claimIdleMs, gaugeIntervalMs });
  return {
    bus,
    metrics,
    pendingCount: async (stream, group) => bus.groupStats(stream, group).pending,
    deadLetters: async () =>
      bus.entries(STREAMS.deadLetters).map((entry) => DeadLetter.parse(JSON.parse(entry.data))),
  };
});

describe('in-process bus specifics', () => {
  it('gives entries increasing Redis-style ids', async () => {
    const bus = createMemoryBus({ logger, metrics: createMetrics('bus-test') });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await bus.publish(STREAMS.orders, orderCreated()));
    const parts = ids.map((id) => {
      expect(id).toMatch(/^\d+-\d+$/);
      return id.split('-').map(Number) as [number, number];
    });
    for (let i = 1; i < parts.length; i++) {
      const [ms, seq] = parts[i]!;
      const [prevMs, prevSeq] = parts[i - 1]!;
      expect(ms > prevMs || (ms === prevMs && seq > prevSeq)).toBe(true);
    }
    await bus.close();
  });

  it('trims a stream to about maxLen without losing a pending retry', async () => {
    const bus = createMemoryBus({ logger, metrics: createMetrics('bus-test'), maxLen: 10, claimIdleMs: 300 });
    const first = orderCreated();
    const attempts: number[] = [];
    let handled = 0;
    const consumer = bus.consume({
      streams: [STREAMS.orders],
      group: 'trim-group',
      handler: async (m) => {
        if (m.envelope.eventId === first.eventId) {
          attempts.push(m.attempt);
          if (m.attempt === 1) throw new Error('fails once');
        }
        handled++;
      },
    });
    await consumer.ready;
    await bus.publish(STREAMS.orders, first);
    await vi.waitFor(() => expect(attempts).toEqual([1]), { timeout: 10_000 });
    for (let i = 0; i < 50; i++) {
      await bus.publish(STREAMS.orders, orderCreated());
      await new Promise((resolve) => setImmediate(resolve)); // a live consumer keeps up; trimmed unread entries would be lost, as in Redis
    }
    expect(bus.entries(STREAMS.orders).length).toBeLessThanOrEqual(11);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]), { timeout: 10_000 });
    await vi.waitFor(() =>
      expect(bus.groupStats(STREAMS.orders, 'trim-group')).toEqual({ pending: 0, lag: 0, oldestPendingId: null }),
      { timeout: 10_000 },
    );
    expect(handled).toBe(51);
    await bus.close();
  });

  it('keeps an entry until every group has read it, then lets read entries go', async () => {
    const bus = createMemoryBus({ logger, metrics: createMetrics('bus-test') });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    bus.consume({ streams: [STREAMS.orders], group: 'quick-group', handler: async () => {} });
    bus.consume({ streams: [STREAMS.orders], group: 'stalled-group', concurrency: 1, handler: () => gate });
    const published = 2 * READ_ENTRIES_BATCH + 100;
    for (let i = 0; i < published; i++) await bus.publish(STREAMS.orders, orderCreated());
    await vi.waitFor(() => expect(bus.groupStats(STREAMS.orders, 'quick-group')).toMatchObject({ pending: 0, lag: 0 }), { timeout: 10_000 });
    // the stalled group has taken one entry (pending, held by its group) and still needs the rest
    expect(bus.groupStats(STREAMS.orders, 'stalled-group')).toMatchObject({ pending: 1, lag: published - 1 });
    expect(bus.retained()[STREAMS.orders]).toEqual({ log: published, pending: 1, queued: 0 });
    release();
    await vi.waitFor(() => expect(bus.groupStats(STREAMS.orders, 'stalled-group')).toMatchObject({ pending: 0, lag: 0 }), { timeout: 10_000 });
    expect(bus.retained()[STREAMS.orders]!.log).toBeLessThan(READ_ENTRIES_BATCH);
    await bus.close();
  });

  it('a subscriber more than maxLen entries behind loses the oldest, like a Redis reader after trimming', async () => {
    const maxLen = 100;
    const bus = createMemoryBus({ logger, metrics: createMetrics('bus-test'), maxLen });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const got: string[] = [];
    const subscription = bus.subscribe([STREAMS.orders], async (m) => {
      got.push(m.envelope.eventId);
      if (got.length === 1) await gate;
    });
    await subscription.ready;
    const events = Array.from({ length: 3 * maxLen }, () => orderCreated());
    await bus.publish(STREAMS.orders, events[0]!);
    await vi.waitFor(() => expect(got).toHaveLength(1), { timeout: 10_000 });
    for (const event of events.slice(1)) await bus.publish(STREAMS.orders, event);
    expect(bus.retained()[STREAMS.orders]!.queued).toBe(maxLen);
    release();
    await vi.waitFor(() => expect(got).toHaveLength(1 + maxLen), { timeout: 10_000 });
    expect(got.slice(1)).toEqual(events.slice(-maxLen).map((e) => e.eventId));
    await bus.close();
  });
});
