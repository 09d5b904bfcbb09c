import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { STREAMS, makeEvent, type DeadLetter, type EventEnvelope, type StreamName } from '@pizza/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Metrics } from '../metrics';
import { MessageAbandoned, type BusMessage, type EventBus } from './event-bus';

/**
 * The one contract every EventBus adapter passes. Each adapter's test file supplies a
 * factory and two read-only views of the engine (pending count, dead letters) — no mocks.
 */
export interface BusFixture {
  bus: EventBus;
  metrics: Metrics;
  pendingCount(stream: StreamName, group: string): Promise<number>;
  deadLetters(): Promise<DeadLetter[]>;
}

export interface BusFixtureOptions {
  claimIdleMs: number;
  gaugeIntervalMs: number;
}

const ORDERS = STREAMS.orders;
const DELIVERIES = STREAMS.deliveries;

export function orderCreated(orderId: string = randomUUID()): EventEnvelope {
  return makeEvent('order.created', {
    eventId: randomUUID(),
    orderId,
    source: 'order-service',
    payload: {
      status: 'created',
      simulate: true,
      totalCents: 1299,
      items: [{ menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 1299 }],
    },
  });
}

const sorted = (values: readonly string[]) => [...values].sort();
const wait = { timeout: 10_000, interval: 20 };

export function describeBusContract(
  name: string,
  factory: (options: BusFixtureOptions) => Promise<BusFixture>,
): void {
  describe(`${name}: event bus contract`, () => {
    let open: BusFixture[] = [];
    const setup = async (options: Partial<BusFixtureOptions> = {}) => {
      const fixture = await factory({ claimIdleMs: 300, gaugeIntervalMs: 5_000, ...options });
      open.push(fixture);
      return fixture;
    };
    afterEach(async () => {
      await Promise.all(open.map((f) => f.bus.close()));
      open = [];
    });

    it('fans out: every group receives every message, with the envelope intact', async () => {
      const { bus } = await setup();
      const received = { a: [] as EventEnvelope[], b: [] as EventEnvelope[] };
      const a = bus.consume({
        streams: [ORDERS],
        group: 'group-a',
        handler: async (m) => void received.a.push(m.envelope),
      });
      const b = bus.consume({
        streams: [ORDERS],
        group: 'group-b',
        handler: async (m) => void received.b.push(m.envelope),
      });
      await Promise.all([a.ready, b.ready]);

      const events = Array.from({ length: 5 }, () => orderCreated());
      for (const event of events) await bus.publish(ORDERS, event);

      await vi.waitFor(() => {
        expect(received.a).toHaveLength(5);
        expect(received.b).toHaveLength(5);
      }, wait);
      const byId = (list: EventEnvelope[]) => [...list].sort((x, y) => x.eventId.localeCompare(y.eventId));
      expect(byId(received.a)).toEqual(byId(events));
      expect(byId(received.b)).toEqual(byId(events));
    });

    it('within a group each message is handled once, and every consumer gets work', async () => {
      const { bus } = await setup();
      const handledBy = new Map<string, string[]>([
        ['one', []],
        ['two', []],
      ]);
      const consumerOf = (consumer: string) =>
        bus.consume({
          streams: [ORDERS],
          group: 'shared-group',
          consumer,
          concurrency: 2,
          handler: async (m) => {
            await sleep(20);
            handledBy.get(consumer)!.push(m.envelope.eventId);
          },
        });
      const consumers = [consumerOf('one'), consumerOf('two')];
      await Promise.all(consumers.map((c) => c.ready));

      const events = Array.from({ length: 20 }, () => orderCreated());
      for (const event of events) await bus.publish(ORDERS, event);

      const all = () => [...handledBy.values()].flat();
      await vi.waitFor(() => expect(all()).toHaveLength(20), wait);
      await sleep(400); // room for any wrong second delivery to show up
      expect(sorted(all())).toEqual(sorted(events.map((e) => e.eventId)));
      expect(handledBy.get('one')!.length).toBeGreaterThan(0);
      expect(handledBy.get('two')!.length).toBeGreaterThan(0);
    });

    it('acks after the handler succeeded: nothing stays pending', async () => {
      const fixture = await setup();
      const handled: string[] = [];
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'ack-group',
        handler: async (m) => void handled.push(m.entryId),
      });
      await consumer.ready;
      for (let i = 0; i < 3; i++) await fixture.bus.publish(ORDERS, orderCreated());
      await vi.waitFor(() => expect(handled).toHaveLength(3), wait);
      await vi.waitFor(async () => expect(await fixture.pendingCount(ORDERS, 'ack-group')).toBe(0), wait);
    });

    it('retries a failed message soon, without waiting for the claim idle time', async () => {
      const fixture = await setup({ claimIdleMs: 30_000 });
      const attempts: number[] = [];
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'retry-group',
        handler: async (m) => {
          attempts.push(m.attempt);
          if (m.attempt === 1) throw new Error('transient failure');
        },
      });
      await consumer.ready;
      const started = Date.now();
      await fixture.bus.publish(ORDERS, orderCreated());
      await vi.waitFor(() => expect(attempts).toEqual([1, 2]), wait);
      expect(Date.now() - started).toBeLessThan(5_000);
      await vi.waitFor(async () => expect(await fixture.pendingCount(ORDERS, 'retry-group')).toBe(0), wait);
      expect(await fixture.deadLetters()).toEqual([]);
    });

    it('dead-letters a message after 3 failed attempts, acks it, and keeps the pipeline flowing', async () => {
      const fixture = await setup();
      const poison = orderCreated();
      const next = orderCreated();
      const poisonAttempts: number[] = [];
      const processed: string[] = [];
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'poison-group',
        handler: async (m: BusMessage) => {
          if (m.envelope.eventId === poison.eventId) {
            poisonAttempts.push(m.attempt);
            throw new Error('kaboom');
          }
          processed.push(m.envelope.eventId);
        },
      });
      await consumer.ready;
      const poisonEntryId = await fixture.bus.publish(ORDERS, poison);
      await fixture.bus.publish(ORDERS, next);

      await vi.waitFor(async () => expect(await fixture.deadLetters()).toHaveLength(1), wait);
      const [letter] = await fixture.deadLetters();
      expect(letter).toMatchObject({
        stream: ORDERS,
        group: 'poison-group',
        entryId: poisonEntryId,
        error: 'kaboom',
        attempts: 3,
      });
      expect(letter!.envelope).toEqual(poison);
      expect(poisonAttempts).toEqual([1, 2, 3]);
      await vi.waitFor(() => expect(processed).toEqual([next.eventId]), wait);
      await vi.waitFor(async () => expect(await fixture.pendingCount(ORDERS, 'poison-group')).toBe(0), wait);
      await sleep(700); // past the claim idle time: no fourth attempt
      expect(poisonAttempts).toEqual([1, 2, 3]);
      const dlq = await fixture.metrics.streamDlq.get();
      expect(dlq.values.find((v) => v.labels.group === 'poison-group')?.value).toBe(1);
    });

    it('a message abandoned by a stopping consumer stays pending, counts no failure, and is finished by another', async () => {
      const fixture = await setup();
      const event = orderCreated();
      let abandoned = 0;
      const first = fixture.bus.consume({
        streams: [ORDERS],
        group: 'abandon-group',
        handler: async () => {
          abandoned++;
          throw new MessageAbandoned('shutting down');
        },
      });
      await first.ready;
      await fixture.bus.publish(ORDERS, event);
      await vi.waitFor(() => expect(abandoned).toBe(1), wait);
      await first.close();
      expect(await fixture.pendingCount(ORDERS, 'abandon-group')).toBe(1);

      const done: number[] = [];
      const second = fixture.bus.consume({ streams: [ORDERS], group: 'abandon-group', handler: async (m) => void done.push(m.attempt) });
      await second.ready;
      await vi.waitFor(() => expect(done).toHaveLength(1), wait);
      await vi.waitFor(async () => expect(await fixture.pendingCount(ORDERS, 'abandon-group')).toBe(0), wait);
      expect(await fixture.deadLetters()).toEqual([]);
      const errors = (await fixture.metrics.streamProcessed.get()).values.filter((v) => v.labels.group === 'abandon-group' && v.labels.status !== 'success');
      expect(errors).toEqual([]);
    });

    it('sends an entry that is not a valid envelope to dead-letters at once', async () => {
      const fixture = await setup();
      const calls: string[] = [];
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'invalid-group',
        handler: async (m) => void calls.push(m.envelope.eventId),
      });
      await consumer.ready;
      const garbage = { type: 'order.created', eventId: 'not-a-uuid' } as unknown as EventEnvelope;
      const entryId = await fixture.bus.publish(ORDERS, garbage);
      const valid = orderCreated();
      await fixture.bus.publish(ORDERS, valid);

      await vi.waitFor(async () => expect(await fixture.deadLetters()).toHaveLength(1), wait);
      const [letter] = await fixture.deadLetters();
      expect(letter).toMatchObject({
        stream: ORDERS,
        group: 'invalid-group',
        entryId,
        attempts: 1,
        envelope: garbage,
      });
      expect(letter!.error).toMatch(/invalid envelope/);
      await vi.waitFor(() => expect(calls).toEqual([valid.eventId]), wait);
      await vi.waitFor(async () => expect(await fixture.pendingCount(ORDERS, 'invalid-group')).toBe(0), wait);
    });

    it("hands a closed consumer's pending message to another consumer of the group", async () => {
      const fixture = await setup();
      const attempts: { consumer: string; attempt: number }[] = [];
      let failed!: () => void;
      const failedOnce = new Promise<void>((resolve) => (failed = resolve));
      const first = fixture.bus.consume({
        streams: [ORDERS],
        group: 'handover-group',
        consumer: 'first',
        handler: async (m) => {
          attempts.push({ consumer: 'first', attempt: m.attempt });
          failed();
          throw new Error('first consumer fails');
        },
      });
      await first.ready;
      await fixture.bus.publish(ORDERS, orderCreated());
      await failedOnce;
      await first.close();

      const second = fixture.bus.consume({
        streams: [ORDERS],
        group: 'handover-group',
        consumer: 'second',
        handler: async (m) => void attempts.push({ consumer: 'second', attempt: m.attempt }),
      });
      await second.ready;
      await vi.waitFor(
        () =>
          expect(attempts).toEqual([
            { consumer: 'first', attempt: 1 },
            { consumer: 'second', attempt: 2 },
          ]),
        wait,
      );
      await vi.waitFor(
        async () => expect(await fixture.pendingCount(ORDERS, 'handover-group')).toBe(0),
        wait,
      );
    });

    it('a group created after publishing still receives the earlier messages', async () => {
      const { bus } = await setup();
      const events = [orderCreated(), orderCreated()];
      for (const event of events) await bus.publish(ORDERS, event);
      const seen: string[] = [];
      const consumer = bus.consume({
        streams: [ORDERS],
        group: 'late-group',
        handler: async (m) => void seen.push(m.envelope.eventId),
      });
      await consumer.ready;
      await vi.waitFor(() => expect(sorted(seen)).toEqual(sorted(events.map((e) => e.eventId))), wait);
    });

    it('caps in-flight handlers at the concurrency', async () => {
      const { bus } = await setup();
      let current = 0;
      let peak = 0;
      let done = 0;
      const consumer = bus.consume({
        streams: [ORDERS, DELIVERIES],
        group: 'capped-group',
        concurrency: 2,
        handler: async () => {
          peak = Math.max(peak, ++current);
          await sleep(40);
          current--;
          done++;
        },
      });
      await consumer.ready;
      for (let i = 0; i < 6; i++) {
        await bus.publish(ORDERS, orderCreated());
        await bus.publish(DELIVERIES, orderCreated());
      }
      await vi.waitFor(() => expect(done).toBe(12), wait);
      expect(peak).toBe(2);
    });

    it('a long handler keeps its message: no second delivery while it runs', async () => {
      const { bus } = await setup({ claimIdleMs: 200 });
      const deliveries: string[] = [];
      const consumerOf = (consumer: string) =>
        bus.consume({
          streams: [ORDERS],
          group: 'slow-group',
          consumer,
          handler: async () => {
            deliveries.push(consumer);
            await sleep(1_200);
          },
        });
      const consumers = [consumerOf('first'), consumerOf('second')];
      await Promise.all(consumers.map((c) => c.ready));
      await bus.publish(ORDERS, orderCreated());
      await vi.waitFor(() => expect(deliveries).toHaveLength(1), wait);
      await sleep(1_600);
      expect(deliveries).toHaveLength(1);
    });

    it('reports pending, lag and oldest-pending-age gauges per stream and group', async () => {
      const fixture = await setup({ gaugeIntervalMs: 50 });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'gauge-group',
        concurrency: 1,
        handler: () => gate,
      });
      await consumer.ready;
      for (let i = 0; i < 3; i++) await fixture.bus.publish(ORDERS, orderCreated());
      const gauge = async (metric: 'streamPending' | 'streamLag' | 'streamOldestPending') =>
        (await fixture.metrics[metric].get()).values.find(
          (v) => v.labels.stream === ORDERS && v.labels.group === 'gauge-group',
        )?.value;
      await vi.waitFor(async () => {
        expect(await gauge('streamPending')).toBe(1);
        expect(await gauge('streamLag')).toBe(2);
      }, wait);
      // the held entry ages: its age grows past a quarter second while it stays pending
      await vi.waitFor(async () => expect(await gauge('streamOldestPending')).toBeGreaterThan(0.25), wait);
      release();
      await vi.waitFor(async () => {
        expect(await gauge('streamPending')).toBe(0);
        expect(await gauge('streamLag')).toBe(0);
        expect(await gauge('streamOldestPending')).toBe(0);
      }, wait);
    });

    it('subscribers each receive every message published after ready, in order', async () => {
      const { bus } = await setup();
      const before = orderCreated();
      await bus.publish(ORDERS, before);
      const received = [[], []] as { stream: string; eventId: string }[][];
      const subscriptions = received.map((list) =>
        bus.subscribe(
          [ORDERS, DELIVERIES],
          (m) => void list.push({ stream: m.stream, eventId: m.envelope.eventId }),
        ),
      );
      await Promise.all(subscriptions.map((s) => s.ready));

      const published: { stream: StreamName; eventId: string }[] = [];
      for (let i = 0; i < 6; i++) {
        const stream = i % 2 === 0 ? ORDERS : DELIVERIES;
        const event = orderCreated();
        await bus.publish(stream, event);
        published.push({ stream, eventId: event.eventId });
      }
      const onStream = (list: { stream: string; eventId: string }[], stream: string) =>
        list.filter((m) => m.stream === stream).map((m) => m.eventId);
      for (const list of received) {
        await vi.waitFor(() => expect(list).toHaveLength(6), wait);
        expect(onStream(list, ORDERS)).toEqual(onStream(published, ORDERS));
        expect(onStream(list, DELIVERIES)).toEqual(onStream(published, DELIVERIES));
      }
      await Promise.all(subscriptions.map((s) => s.close()));
    });

    it('subscribers get a burst spread over two streams in publish order', async () => {
      const { bus } = await setup();
      const got: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const subscription = bus.subscribe([ORDERS, DELIVERIES], async (m) => {
        got.push(m.envelope.eventId);
        if (got.length === 1) await gate; // the rest piles up and is read in one go
      });
      await subscription.ready;
      const published: string[] = [];
      const first = orderCreated();
      await bus.publish(ORDERS, first);
      published.push(first.eventId);
      await vi.waitFor(() => expect(got).toHaveLength(1), wait);
      for (let i = 0; i < 6; i++) {
        const event = orderCreated();
        await bus.publish(i % 2 === 0 ? DELIVERIES : ORDERS, event);
        published.push(event.eventId);
        // Redis ids order entries across streams by their millisecond only (each stream counts its own seq)
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      release();
      await vi.waitFor(() => expect(got).toHaveLength(7), wait);
      expect(got).toEqual(published);
      await subscription.close();
    });

    it('consumer.close() can be called twice and waits for the in-flight handler', async () => {
      const fixture = await setup();
      let finished = false;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'closing-group',
        handler: async () => {
          started();
          await sleep(300);
          finished = true;
        },
      });
      await consumer.ready;
      await fixture.bus.publish(ORDERS, orderCreated());
      await running;
      const closes = [consumer.close(), consumer.close()];
      await closes[0];
      expect(finished).toBe(true);
      await closes[1];
      expect(await fixture.pendingCount(ORDERS, 'closing-group')).toBe(0);
    });

    it('bus.close() can be called twice and waits for in-flight handlers', async () => {
      const fixture = await setup();
      let finished = false;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const consumer = fixture.bus.consume({
        streams: [ORDERS],
        group: 'bus-closing-group',
        handler: async () => {
          started();
          await sleep(300);
          finished = true;
        },
      });
      const subscription = fixture.bus.subscribe([ORDERS], () => undefined);
      await Promise.all([consumer.ready, subscription.ready]);
      await fixture.bus.publish(ORDERS, orderCreated());
      await running;
      await Promise.all([fixture.bus.close(), fixture.bus.close()]);
      expect(finished).toBe(true);
      await fixture.bus.close();
      await consumer.close();
      await expect(fixture.bus.ping()).rejects.toThrow();
    });
  });
}
