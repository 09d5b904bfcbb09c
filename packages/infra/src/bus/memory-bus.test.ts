import { DeadLetter, STREAMS } from '@pizza/contracts';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { describeBusContract, orderCreated } from './bus.contract';
import { createMemoryBus } from './memory-bus';

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
    await vi.waitFor(() => expect(attempts).toEqual([1]));
    for (let i = 0; i < 50; i++) {
      await bus.publish(STREAMS.orders, orderCreated());
      await new Promise((resolve) => setImmediate(resolve)); // a live consumer keeps up; trimmed unread entries would be lost, as in Redis
    }
    expect(bus.entries(STREAMS.orders).length).toBeLessThanOrEqual(11);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]));
    await vi.waitFor(() =>
      expect(bus.groupStats(STREAMS.orders, 'trim-group')).toEqual({ pending: 0, lag: 0, oldestPendingId: null }),
    );
    expect(handled).toBe(51);
    await bus.close();
  });
});
