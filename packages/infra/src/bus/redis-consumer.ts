import type { DeadLetter, StreamName } from '@pizza/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { Backoff, sleep } from './backoff';
import { processEntry, type Delivery, type GroupContext, type Settlement } from './entry-processing';
import type { BusMessage, Consumer } from './event-bus';
import { CLAIM_SLICE, claimOwned } from './redis-claim-owned';
import {
  autoclaimReply,
  claimedEntriesReply,
  idsReply,
  pendingIdsReply,
  readStreamsReply,
} from './redis-replies';

export interface RedisConsumerDeps {
  /** Shared connection for non-blocking commands (XCLAIM, XAUTOCLAIM, XGROUP, XPENDING). */
  command: Redis;
  /** XACK through the shared connection; the acks of one turn go out together. */
  ack(stream: string, group: string, entryId: string): Promise<void>;
  /** This consumer's own connection, blocked in XREADGROUP. */
  reader: Redis;
  logger: Logger;
  metrics: Metrics;
  claimIdleMs: number;
  claimIntervalMs: number;
  blockMs: number;
  writeDeadLetter(letter: DeadLetter): Promise<void>;
}

export interface RedisConsumerOptions {
  streams: readonly StreamName[];
  group: string;
  consumer: string;
  handler: (message: BusMessage) => Promise<void>;
  concurrency: number;
}

interface Redelivery {
  stream: StreamName;
  entryId: string;
  dueAt: number;
}

const keyOf = (stream: string, entryId: string) => `${stream} ${entryId}`;
const isNoGroup = (err: unknown) => err instanceof Error && err.message.includes('NOGROUP');
const isBusyGroup = (err: unknown) => err instanceof Error && err.message.includes('BUSYGROUP');

/**
 * One consumer of a group, modelled on moleculer-channels' Redis adapter:
 *  - a read loop on its own connection: XREADGROUP … BLOCK … COUNT <free slots> STREAMS … >;
 *  - handlers run concurrently up to `concurrency`; an entry is acked only after its handler resolved;
 *  - owned pending entries that must be delivered again (own failures after a backoff, own pending
 *    entries found at start, entries claimed from dead consumers) are re-fetched with a guarded XCLAIM,
 *    which counts the delivery, so the attempt number is always Redis' delivery count;
 *  - a claim loop (XAUTOCLAIM, at start and every `claimIntervalMs`) takes over entries idle longer
 *    than `claimIdleMs`;
 *  - a heartbeat (guarded XCLAIM … JUSTID every claimIdleMs/3) keeps entries whose handler is still
 *    running from looking idle, so long handlers are never stolen.
 */
export class RedisGroupConsumer implements Consumer {
  readonly ready: Promise<void>;
  private readonly done: Promise<void>;
  private readonly ctx: GroupContext;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  /** Entries delivered to this consumer, waiting for a free slot (insertion-ordered). */
  private readonly queued = new Map<string, Delivery>();
  private readonly running = new Map<string, Delivery>();
  private readonly redeliveries = new Map<string, Redelivery>();
  private readonly tasks = new Set<Promise<void>>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private claimTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private wakeReader: (() => void) | null = null;
  /** When the read loop last completed a read (health: a consumer stuck on a dead link). */
  private lastReadAt = Date.now();
  private closing: Promise<void> | null = null;
  private readonly redeliverBackoff: Backoff;
  private readonly maintenanceErrors: Backoff;

  constructor(
    private readonly deps: RedisConsumerDeps,
    private readonly options: RedisConsumerOptions,
  ) {
    this.log = deps.logger.child({ group: options.group, consumer: options.consumer });
    this.ctx = {
      group: options.group,
      handler: options.handler,
      logger: this.log,
      metrics: deps.metrics,
      claimIdleMs: deps.claimIdleMs,
    };
    this.redeliverBackoff = new Backoff(this.log, 'redelivering pending messages');
    this.maintenanceErrors = new Backoff(this.log, 'claim/heartbeat');
    // After a reconnect, entries a lost read had delivered sit in this consumer's pending list:
    // take them back now rather than after claimIdleMs.
    let connectedOnce = false;
    deps.reader.on('ready', () => {
      if (connectedOnce && !this.stopped) void this.resumeOwnPending();
      connectedOnce = true;
    });
    this.ready = this.prepare();
    this.done = this.ready.then(() => this.readLoop());
  }

  get streams(): readonly StreamName[] {
    return this.options.streams;
  }

  get group(): string {
    return this.options.group;
  }

  get description(): string {
    return `consumer ${this.options.consumer} of group ${this.options.group}`;
  }

  /** 0 while the loop waits for free handler slots: that is backpressure, not a stuck read. */
  stalledForMs(now: number): number {
    return this.wakeReader ? 0 : now - this.lastReadAt;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private get freeSlots(): number {
    return this.options.concurrency - this.running.size - this.queued.size;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      clearInterval(this.claimTimer);
      clearTimeout(this.pumpTimer);
      this.wakeReader?.();
      // Interrupts a pending BLOCK; entries already delivered to it stay pending and are re-read later.
      this.deps.reader.disconnect();
      await this.done.catch(() => undefined);
      await this.pumping;
      while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
      // Last: handlers still running during shutdown must keep their entries.
      clearInterval(this.heartbeatTimer);
    })();
    return this.closing;
  }

  /** Creates the groups and adopts this consumer's own pending entries (a restart resumes its work). */
  private async prepare(): Promise<void> {
    const backoff = new Backoff(this.log, 'joining the consumer group');
    while (!this.stopped) {
      try {
        await this.ensureGroups();
        await this.adoptOwnPending();
        backoff.succeed();
        break;
      } catch (err) {
        await sleep(backoff.fail(err), this.abort.signal);
      }
    }
    if (this.stopped) return;
    const { claimIntervalMs, claimIdleMs } = this.deps;
    const heartbeatMs = Math.max(20, Math.min(Math.floor(claimIdleMs / 3), 10_000));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), heartbeatMs).unref();
    this.claimTimer = setInterval(() => void this.claimStale(), claimIntervalMs).unref();
    void this.claimStale();
    this.pump();
  }

  private async ensureGroups(): Promise<void> {
    for (const stream of this.options.streams) {
      try {
        // From 0, not $: a group created after events were published still gets them.
        await this.deps.command.xgroup('CREATE', stream, this.options.group, '0', 'MKSTREAM');
        this.log.info({ stream }, 'consumer group created');
      } catch (err) {
        if (!isBusyGroup(err)) throw err;
      }
    }
  }

  private async resumeOwnPending(): Promise<void> {
    try {
      await this.adoptOwnPending();
      this.pump();
    } catch (err) {
      this.maintenanceErrors.fail(err);
    }
  }

  private async adoptOwnPending(): Promise<void> {
    const { command } = this.deps;
    for (const stream of this.options.streams) {
      let start = '-';
      for (;;) {
        const ids = pendingIdsReply(
          await command.call('XPENDING', stream, this.options.group, start, '+', 500, this.options.consumer),
        );
        for (const entryId of ids) {
          const key = keyOf(stream, entryId);
          if (this.running.has(key) || this.queued.has(key) || this.redeliveries.has(key)) continue;
          this.redeliveries.set(key, { stream, entryId, dueAt: 0 });
        }
        if (ids.length < 500) break;
        start = `(${ids[ids.length - 1]}`;
      }
    }
    if (this.redeliveries.size > 0)
      this.log.info({ count: this.redeliveries.size }, 'resuming own pending messages');
  }

  private async readLoop(): Promise<void> {
    const { reader, blockMs } = this.deps;
    const { streams, group, consumer } = this.options;
    const backoff = new Backoff(this.log, 'reading the streams');
    while (!this.stopped) {
      const free = this.freeSlots;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.wakeReader = resolve));
        this.wakeReader = null;
        this.lastReadAt = Date.now();
        continue;
      }
      try {
        // COUNT applies per stream: split the free slots; any excess waits in the queue, never runs over the cap.
        const count = Math.ceil(free / streams.length);
        const reply = await reader.call(
          'XREADGROUP',
          'GROUP',
          group,
          consumer,
          'COUNT',
          count,
          'BLOCK',
          blockMs,
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        );
        this.lastReadAt = Date.now();
        for (const { stream, entries } of readStreamsReply(reply)) {
          for (const entry of entries)
            this.enqueue({ stream: stream as StreamName, entryId: entry.id, data: entry.data, attempt: 1 });
        }
        backoff.succeed();
        this.dispatch();
      } catch (err) {
        if (this.stopped) break;
        if (isNoGroup(err)) {
          // Redis lost the group (restart without persistence, stream deleted): recreate it and go on.
          this.log.warn('consumer group missing; creating it again');
          await this.ensureGroups().catch(async (e: unknown) => sleep(backoff.fail(e), this.abort.signal));
          continue;
        }
        await sleep(backoff.fail(err), this.abort.signal);
      }
    }
  }

  private enqueue(delivery: Delivery): void {
    const key = keyOf(delivery.stream, delivery.entryId);
    if (this.running.has(key) || this.queued.has(key)) return;
    this.redeliveries.delete(key);
    this.queued.set(key, delivery);
  }

  private dispatch(): void {
    while (!this.stopped && this.running.size < this.options.concurrency) {
      const next = this.queued.entries().next();
      if (next.done) return;
      const [key, delivery] = next.value;
      this.queued.delete(key);
      this.start(key, delivery);
    }
  }

  private start(key: string, delivery: Delivery): void {
    this.running.set(key, delivery);
    const task = processEntry(this.ctx, delivery, this.settlement(key, delivery))
      .catch((err: unknown) => this.log.error({ err }, 'unexpected failure while processing a message'))
      .finally(() => {
        this.running.delete(key);
        this.tasks.delete(task);
        this.dispatch();
        if (this.redeliveries.size > 0) this.pump();
        this.wakeReader?.();
      });
    this.tasks.add(task);
  }

  private settlement(key: string, { stream, entryId }: Delivery): Settlement {
    const { ack } = this.deps;
    return {
      ack: () => ack(stream, this.options.group, entryId),
      deadLetter: async (letter) => {
        await this.deps.writeDeadLetter(letter);
        await ack(stream, this.options.group, entryId);
      },
      retryLater: (delayMs) => {
        this.redeliveries.set(key, { stream, entryId, dueAt: Date.now() + delayMs });
        this.schedulePump();
      },
    };
  }

  /** Re-fetches due redeliveries, one pass at a time. */
  private pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.redeliver()
      .catch((err: unknown) => this.log.error({ err }, 'unexpected failure while redelivering'))
      .finally(() => {
        this.pumping = null;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        } else {
          this.schedulePump();
        }
      });
  }

  private schedulePump(): void {
    clearTimeout(this.pumpTimer);
    if (this.stopped) return;
    let next = Infinity;
    for (const r of this.redeliveries.values()) next = Math.min(next, r.dueAt);
    if (next === Infinity) return;
    this.pumpTimer = setTimeout(() => this.pump(), Math.max(0, next - Date.now()));
    this.pumpTimer.unref();
  }

  private async redeliver(): Promise<void> {
    const now = Date.now();
    const due = [...this.redeliveries.values()]
      .filter((r) => r.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, Math.max(0, this.freeSlots));
    for (const [stream, batch] of byStream(due)) {
      for (let i = 0; i < batch.length && !this.stopped; i += CLAIM_SLICE) {
        const slice = batch.slice(i, i + CLAIM_SLICE);
        try {
          const ids = slice.map((r) => r.entryId);
          const claimed = claimedEntriesReply(
            await claimOwned(
              this.deps.command,
              stream,
              this.options.group,
              this.options.consumer,
              'fetch',
              ids,
            ),
          );
          this.redeliverBackoff.succeed();
          // Entries not returned now belong to another consumer or were trimmed away.
          for (const r of slice) this.redeliveries.delete(keyOf(stream, r.entryId));
          for (const entry of claimed)
            this.enqueue({ stream, entryId: entry.id, data: entry.data, attempt: entry.deliveries });
        } catch (err) {
          if (isNoGroup(err)) {
            for (const r of slice) this.redeliveries.delete(keyOf(stream, r.entryId)); // the group and its pending list are gone
            continue;
          }
          const retryAt = Date.now() + this.redeliverBackoff.fail(err);
          for (const r of slice) r.dueAt = retryAt;
        }
      }
    }
    this.dispatch();
  }

  /** Resets the idle time of every entry this consumer holds (running or queued). */
  private async heartbeat(): Promise<void> {
    // Once stopping, queued entries will not run here: let them go idle so another consumer claims them.
    const held = [...this.running.values(), ...(this.stopped ? [] : this.queued.values())];
    if (held.length === 0) return;
    try {
      for (const [stream, batch] of byStream(held)) {
        for (let i = 0; i < batch.length; i += CLAIM_SLICE) {
          const ids = batch.slice(i, i + CLAIM_SLICE).map((d) => d.entryId);
          const owned = new Set(
            idsReply(
              await claimOwned(
                this.deps.command,
                stream,
                this.options.group,
                this.options.consumer,
                'touch',
                ids,
              ),
            ),
          );
          for (const entryId of ids) {
            if (owned.has(entryId)) continue;
            const key = keyOf(stream, entryId);
            // Queued entries now owned elsewhere are dropped; a running one finishes (handlers are idempotent).
            if (this.queued.delete(key)) continue;
            if (this.running.has(key))
              this.log.warn({ stream, entryId }, 'a running message was claimed by another consumer');
          }
        }
      }
      this.maintenanceErrors.succeed();
    } catch (err) {
      this.maintenanceErrors.fail(err);
    }
  }

  /** XAUTOCLAIM: takes over entries idle longer than claimIdleMs (their consumer died), up to the free slots. */
  private async claimStale(): Promise<void> {
    let budget = this.freeSlots - this.redeliveries.size;
    if (budget <= 0 || this.stopped) return;
    const { command, claimIdleMs } = this.deps;
    let claimed = 0;
    try {
      for (const stream of this.options.streams) {
        let cursor = '0-0';
        do {
          const reply = autoclaimReply(
            await command.call(
              'XAUTOCLAIM',
              stream,
              this.options.group,
              this.options.consumer,
              claimIdleMs,
              cursor,
              'COUNT',
              budget,
              'JUSTID',
            ),
          );
          for (const entryId of reply.ids) {
            const key = keyOf(stream, entryId);
            if (this.running.has(key) || this.queued.has(key)) continue;
            this.redeliveries.set(key, { stream, entryId, dueAt: 0 });
            claimed++;
            budget--;
          }
          cursor = reply.cursor;
        } while (cursor !== '0-0' && budget > 0 && !this.stopped);
      }
      this.maintenanceErrors.succeed();
    } catch (err) {
      // NOGROUP after a Redis restart is handled by the read loop.
      if (!isNoGroup(err)) this.maintenanceErrors.fail(err);
    }
    if (claimed > 0) {
      this.log.info({ count: claimed }, 'claimed idle messages from other consumers');
      this.pump();
    }
  }
}

function byStream<T extends { stream: StreamName }>(items: readonly T[]): Map<StreamName, T[]> {
  const groups = new Map<StreamName, T[]>();
  for (const item of items) {
    const list = groups.get(item.stream);
    if (list) list.push(item);
    else groups.set(item.stream, [item]);
  }
  return groups;
}
