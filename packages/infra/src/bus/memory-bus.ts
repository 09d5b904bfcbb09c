import { randomUUID } from 'node:crypto';
import { STREAMS, type DeadLetter, type EventEnvelope, type StreamName } from '@pizza/contracts';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { processBroadcast, processEntry, type GroupContext } from './entry-processing';
import type { BusMessage, ConsumeOptions, Consumer, EventBus, Subscription } from './event-bus';
import type { BusInspection } from './bus-inspection';
import { startGroupGauges, type GroupStats } from './group-gauges';
import { createMemoryInspection } from './memory-inspection';
import { MemoryGroup, READ_ENTRIES_BATCH, StreamLog, type GroupMember, type LogEntry, type PendingEntry } from './memory-stream';

export { READ_ENTRIES_BATCH } from './memory-stream';

export interface MemoryBusOptions {
  logger: Logger;
  metrics: Metrics;
  /** Caps the retry backoff, as in the Redis adapter (default 30000). */
  claimIdleMs?: number;
  /** Entries kept per stream (default 100000). */
  maxLen?: number;
  /** How often the pending/lag gauges are refreshed (default 5000). */
  gaugeIntervalMs?: number;
}

/** The in-process bus, plus read-only views used by tests and dev tools. */
export interface MemoryBus extends EventBus {
  /** The raw entries a stream currently holds, oldest first. */
  entries(stream: StreamName): readonly LogEntry[];
  groupStats(stream: StreamName, group: string): GroupStats;
  /** The operator's view (pipeline, dead-letter tools). */
  inspection: BusInspection;
  /** Entries held in memory per stream: in its log, in its groups' pending lists, queued for subscribers. */
  retained(): Partial<Record<StreamName, RetainedEntries>>;
}

export interface RetainedEntries {
  log: number;
  pending: number;
  queued: number;
}

interface MemoryStream {
  log: StreamLog;
  groups: Map<string, MemoryGroup>;
  subscribers: Set<MemorySubscription>;
}

/**
 * The event bus of the embedded topology: Redis Streams semantics (groups, pending entries, retries,
 * dead letters, broadcast tails) inside one process. Envelopes are stored as JSON and parsed on every
 * delivery, so handlers see exactly the shapes Redis would give them.
 */
export function createMemoryBus(options: MemoryBusOptions): MemoryBus {
  const logger = options.logger.child({ component: 'event-bus', adapter: 'memory' });
  const { metrics } = options;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const maxLen = options.maxLen ?? 100_000;
  const streams = new Map<StreamName, MemoryStream>();
  const consumers = new Set<MemoryConsumer>();
  const subscriptions = new Set<MemorySubscription>();
  let closed = false;
  let closing: Promise<void> | null = null;

  const streamOf = (name: StreamName): MemoryStream => {
    let stream = streams.get(name);
    if (!stream) {
      stream = { log: new StreamLog(maxLen), groups: new Map(), subscribers: new Set() };
      streams.set(name, stream);
    }
    return stream;
  };

  const groupOf = (name: StreamName, group: string): MemoryGroup => {
    const stream = streamOf(name);
    let found = stream.groups.get(group);
    if (!found) {
      found = new MemoryGroup(name, group, stream.log);
      stream.groups.set(group, found);
    }
    return found;
  };

  const append = (name: StreamName, data: string): LogEntry => {
    const stream = streamOf(name);
    const entry = stream.log.append(data);
    for (const group of stream.groups.values()) group.schedule();
    for (const subscriber of stream.subscribers) subscriber.push(name, entry);
    return entry;
  };

  const assertOpen = () => {
    if (closed) throw new Error('the event bus is closed');
  };
  // In-flight handlers may still publish while the bus closes; only new consumers are refused.
  const assertAccepting = () => {
    if (closing) throw new Error('the event bus is closing');
  };

  const gauges = startGroupGauges({
    metrics,
    logger,
    intervalMs: options.gaugeIntervalMs ?? 5_000,
    groups: function* () {
      for (const stream of streams.values())
        for (const group of stream.groups.values()) yield { stream: group.stream, group: group.name };
    },
    stats: async (stream, group) => groupOf(stream, group).stats(),
  });

  return {
    async publish(stream: StreamName, envelope: EventEnvelope): Promise<string> {
      assertOpen();
      const entry = append(stream, JSON.stringify(envelope));
      metrics.eventsPublished.inc({ stream, type: envelope.type });
      return entry.id;
    },

    consume(consume: ConsumeOptions): Consumer {
      assertAccepting();
      const consumerName = consume.consumer ?? `consumer-${randomUUID()}`;
      const ctx: GroupContext = {
        group: consume.group,
        handler: consume.handler,
        logger: logger.child({ group: consume.group, consumer: consumerName }),
        metrics,
        claimIdleMs,
      };
      const groups = consume.streams.map((stream) => groupOf(stream, consume.group));
      const consumer = new MemoryConsumer(consumerName, groups, ctx, consume.concurrency ?? 32, (letter) =>
        append(STREAMS.deadLetters, JSON.stringify(letter)),
      );
      consumers.add(consumer);
      void consumer.closed.then(() => consumers.delete(consumer));
      return consumer;
    },

    subscribe(
      names: readonly StreamName[],
      handler: (message: BusMessage) => void | Promise<void>,
    ): Subscription {
      assertAccepting();
      const targets = names.map(streamOf);
      const subscription = new MemorySubscription({ handler, logger, metrics }, maxLen, () => {
        for (const target of targets) target.subscribers.delete(subscription);
        subscriptions.delete(subscription);
      });
      for (const target of targets) target.subscribers.add(subscription);
      subscriptions.add(subscription);
      return subscription;
    },

    async ping(): Promise<void> {
      assertOpen();
    },

    close(): Promise<void> {
      closing ??= (async () => {
        await Promise.all([...consumers].map((c) => c.close()));
        await Promise.all([...subscriptions].map((s) => s.close()));
        closed = true;
        gauges.stop();
        for (const stream of streams.values()) for (const group of stream.groups.values()) group.dispose();
      })();
      return closing;
    },

    entries(stream: StreamName): readonly LogEntry[] {
      return streams.get(stream)?.log.all() ?? [];
    },

    groupStats(stream: StreamName, group: string): GroupStats {
      return groupOf(stream, group).stats();
    },

    inspection: createMemoryInspection({
      log: (stream) => streams.get(stream)?.log,
      groups: (stream) => streams.get(stream)?.groups.values() ?? [],
      append,
    }),
    retained() {
      const out: Partial<Record<StreamName, RetainedEntries>> = {};
      for (const [name, stream] of streams) {
        let pending = 0;
        for (const group of stream.groups.values()) pending += group.stats().pending;
        let queued = 0;
        for (const subscriber of stream.subscribers) queued += subscriber.queued(name);
        out[name] = { log: stream.log.all().length, pending, queued };
      }
      return out;
    },
  };
}

/** One consumer of a group across its streams; at most `concurrency` handlers run at once. */
class MemoryConsumer implements Consumer, GroupMember {
  readonly ready = Promise.resolve();
  private inFlight = 0;
  private stopping = false;
  lastActiveAt = Date.now();
  private readonly tasks = new Set<Promise<void>>();
  private closing: Promise<void> | null = null;
  private markClosed!: () => void;
  /** Resolves once close() has finished. */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly name: string,
    private readonly groups: readonly MemoryGroup[],
    private readonly ctx: GroupContext,
    private readonly concurrency: number,
    private readonly writeDeadLetter: (letter: DeadLetter) => void,
  ) {
    for (const group of groups) group.join(this);
  }

  get hasSlot(): boolean {
    return !this.stopping && this.inFlight < this.concurrency;
  }

  start(group: MemoryGroup, pending: PendingEntry): void {
    this.inFlight++;
    this.lastActiveAt = Date.now();
    const delivery = {
      stream: group.stream,
      entryId: pending.entry.id,
      data: pending.entry.data,
      attempt: pending.deliveries,
    };
    const task = processEntry(this.ctx, delivery, {
      ack: async () => group.ack(pending),
      deadLetter: async (letter) => {
        this.writeDeadLetter(letter);
        group.ack(pending);
      },
      retryLater: (delayMs) => group.retryLater(pending, delayMs),
    })
      .catch((err: unknown) =>
        this.ctx.logger.error({ err }, 'unexpected failure while processing a message'),
      )
      .finally(() => {
        this.inFlight--;
        this.lastActiveAt = Date.now();
        this.tasks.delete(task);
        for (const g of this.groups) g.schedule();
      });
    this.tasks.add(task);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopping = true;
      for (const group of this.groups) group.leave(this);
      while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
      // Entries this consumer left pending (waiting for a retry) go to the group's other members.
      for (const group of this.groups) group.schedule();
      this.markClosed();
    })();
    return this.closing;
  }
}

/**
 * A broadcast tail: receives every entry appended after it subscribed, in order. Entries wait in a
 * queue until the handler has taken them; a subscriber that falls more than `maxLen` entries behind
 * loses the oldest, as a Redis reader would lose entries trimmed before it read them.
 */
class MemorySubscription implements Subscription {
  readonly ready = Promise.resolve();
  private queue: { stream: StreamName; entry: LogEntry }[] = [];
  private head = 0;
  private draining: Promise<void> | null = null;
  private stopped = false;
  private closing: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly ctx: Parameters<typeof processBroadcast>[0],
    private readonly maxLen: number,
    private readonly detach: () => void,
  ) {}

  push(stream: StreamName, entry: LogEntry): void {
    if (this.stopped) return;
    if (this.queue.length - this.head >= this.maxLen) {
      this.head++;
      this.dropped++;
    }
    // entries already handled leave the queue in batches, so a subscriber that is never idle holds no history
    if (this.head >= READ_ENTRIES_BATCH && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.queue.push({ stream, entry });
    // Taken as soon as the publisher's synchronous work is done (a microtask), not a turn later: what a
    // relay pass publishes together is still handed over together, and a push waits for no other I/O.
    this.draining ??= Promise.resolve().then(() => this.drain());
  }

  /** Entries of `stream` waiting for the handler. */
  queued(stream: StreamName): number {
    let count = 0;
    for (let i = this.head; i < this.queue.length; i++) if (this.queue[i]!.stream === stream) count++;
    return count;
  }

  private async drain(): Promise<void> {
    while (this.head < this.queue.length && !this.stopped) {
      if (this.dropped > 0) {
        this.ctx.logger.warn({ dropped: this.dropped }, 'subscriber fell too far behind: oldest entries dropped');
        this.dropped = 0;
      }
      const { stream, entry } = this.queue[this.head++]!;
      await processBroadcast(this.ctx, stream, entry.id, entry.data);
    }
    this.queue = [];
    this.head = 0;
    this.draining = null;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.detach();
      await this.draining;
    })();
    return this.closing;
  }
}
