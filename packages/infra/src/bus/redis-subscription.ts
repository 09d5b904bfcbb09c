import type { StreamName } from '@pizza/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { Backoff, sleep } from './backoff';
import { processBroadcast } from './entry-processing';
import type { BusMessage, Subscription } from './event-bus';
import { newestIdReply, readStreamsReply } from './redis-replies';

export interface RedisSubscriptionDeps {
  /** This subscription's own connection, blocked in XREAD. */
  reader: Redis;
  logger: Logger;
  metrics: Metrics;
  blockMs: number;
}

/**
 * A broadcast tail without a group (every notifications replica sees every entry): a blocking
 * XREAD loop that continues from the last ids it saw, also across Redis reconnects.
 */
export class RedisSubscription implements Subscription {
  readonly ready: Promise<void>;
  private readonly done: Promise<void>;
  private readonly abort = new AbortController();
  private lastIds: string[] = [];
  private closing: Promise<void> | null = null;
  /** When the loop last completed a read (health: a subscription stuck on a dead link). */
  private lastReadAt = Date.now();

  constructor(
    private readonly deps: RedisSubscriptionDeps,
    private readonly streams: readonly StreamName[],
    private readonly handler: (message: BusMessage) => void | Promise<void>,
  ) {
    this.ready = this.start();
    this.done = this.ready.then(() => this.loop());
  }

  get description(): string {
    return `subscription to ${this.streams.join(', ')}`;
  }

  stalledForMs(now: number): number {
    return now - this.lastReadAt;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      this.deps.reader.disconnect();
      await this.done.catch(() => undefined);
    })();
    return this.closing;
  }

  /**
   * Pins the starting point to each stream's newest id. Reading from `$` instead would miss whatever
   * is published between `ready` and the first XREAD reaching Redis.
   */
  private async start(): Promise<void> {
    const backoff = new Backoff(this.deps.logger, 'starting a subscription');
    while (!this.abort.signal.aborted) {
      try {
        this.lastIds = await Promise.all(
          this.streams.map(
            async (stream) =>
              newestIdReply(await this.deps.reader.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)) ?? '0-0',
          ),
        );
        backoff.succeed();
        return;
      } catch (err) {
        await sleep(backoff.fail(err), this.abort.signal);
      }
    }
  }

  private async loop(): Promise<void> {
    const { reader, blockMs, logger, metrics } = this.deps;
    const backoff = new Backoff(logger, 'reading the streams (subscription)');
    const ctx = { handler: this.handler, logger, metrics };
    while (!this.abort.signal.aborted) {
      let batches;
      try {
        const reply = await reader.call(
          'XREAD',
          'COUNT',
          500,
          'BLOCK',
          blockMs,
          'STREAMS',
          ...this.streams,
          ...this.lastIds,
        );
        batches = readStreamsReply(reply);
        this.lastReadAt = Date.now();
        backoff.succeed();
      } catch (err) {
        if (this.abort.signal.aborted) break;
        await sleep(backoff.fail(err), this.abort.signal);
        continue;
      }
      // one read can return several streams: handle their entries in publish order (ids are server time)
      const merged = batches
        .flatMap(({ stream, entries }) => entries.map((entry) => ({ stream: stream as StreamName, ...entry })))
        .sort((a, b) => compareEntryIds(a.id, b.id));
      for (const entry of merged) {
        this.lastIds[this.streams.indexOf(entry.stream)] = entry.id;
        await processBroadcast(ctx, entry.stream, entry.id, entry.data);
      }
    }
  }
}

/** Orders Redis entry ids (`<ms>-<seq>`) numerically. */
function compareEntryIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
