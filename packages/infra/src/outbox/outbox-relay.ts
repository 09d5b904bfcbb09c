import type { StreamName } from '@pizza/contracts';
import { Backoff } from '../bus/backoff';
import type { EventBus } from '../bus/event-bus';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { Storage } from '../storage/storage-port';

export interface OutboxRelayOptions {
  storage: Storage;
  bus: EventBus;
  /** The service whose outbox rows this relay publishes (the envelopes' `source`). */
  source: string;
  logger: Logger;
  metrics: Metrics;
  /** Period of the catch-up pass (default 500 ms). */
  intervalMs?: number;
  /** Rows read per storage round trip (default 100). */
  batchSize?: number;
}

export interface OutboxRelay {
  /** Starts the periodic pass and runs one at once (publishing whatever an earlier crash left). */
  start(): void;
  /** Asks for a pass now (call it right after a commit that wrote outbox rows). */
  nudge(): void;
  /** Runs a full pass now, also during a backoff, and rejects if it could not publish everything. */
  flush(): Promise<void>;
  /** Stops the timer and waits for the pass in flight. Idempotent. */
  close(): Promise<void>;
}

/**
 * Publishes the outbox: rows written in the same transaction as the change that caused
 * them are published in order and marked sent only after the bus accepted them. A crash between
 * commit and publish leaves the rows unsent, and the next pass (on restart) publishes them; the
 * resulting duplicates, if any, are dropped by the consumers' inbox.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { storage, bus, source, metrics } = options;
  const intervalMs = options.intervalMs ?? 500;
  const batchSize = options.batchSize ?? 100;
  const logger = options.logger.child({ component: 'outbox-relay', source });
  const backoff = new Backoff(logger, 'publishing the outbox', 200, 10_000);

  /** Passes run one after another on this chain: never two at once in one process. */
  let chain: Promise<void> = Promise.resolve();
  let passQueued = false;
  let retryAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let closing: Promise<void> | null = null;

  async function pass(): Promise<void> {
    for (;;) {
      const rows = await storage.pendingOutbox(source, batchSize);
      if (rows.length === 0) break;
      // Issued together but in order: Redis executes them in the order they were sent on the one connection.
      // Storage writes each row's stream from EVENT_STREAM, so it is a StreamName.
      const results = await Promise.allSettled(
        rows.map((row) => bus.publish(row.stream as StreamName, row.envelope)),
      );
      const sent = rows.filter((_, i) => results[i]!.status === 'fulfilled').map((row) => row.id);
      if (sent.length > 0) await storage.markOutboxSent(sent);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) {
        metrics.outboxPending.set(rows.length - sent.length);
        throw failure.reason;
      }
      logger.debug({ count: sent.length }, 'outbox events published');
      if (rows.length < batchSize) break;
    }
    metrics.outboxPending.set(0);
  }

  /** A pass for the timer and nudges: skipped while backing off, errors logged, never thrown. */
  async function backgroundPass(): Promise<void> {
    if (closed || Date.now() < retryAt) return;
    try {
      await pass();
      backoff.succeed();
      retryAt = 0;
    } catch (err) {
      retryAt = Date.now() + backoff.fail(err);
    }
  }

  const relay: OutboxRelay = {
    start() {
      if (timer || closed) return;
      timer = setInterval(() => relay.nudge(), intervalMs);
      timer.unref();
      relay.nudge();
    },

    nudge() {
      // One queued pass serves every nudge that arrives before it starts: it reads all rows committed by then.
      // It starts as soon as the current synchronous work is done, not a turn later (that turn cost every
      // event a wait behind unrelated I/O). SQLite commits a turn's orders and events together, so the
      // first nudge after a commit already finds all of that turn's rows: one read, one mark-sent. Nudges
      // that arrive while a pass runs queue one more pass, which takes everything committed meanwhile.
      if (closed || passQueued) return;
      passQueued = true;
      chain = chain
        .then(() => {
          passQueued = false;
          return backgroundPass();
        });
    },

    flush() {
      if (closed) return Promise.resolve();
      const run = chain.then(async () => {
        await pass();
        backoff.succeed();
        retryAt = 0;
      });
      chain = run.catch(() => undefined);
      return run;
    },

    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        await chain;
      })();
      return closing;
    },
  };
  return relay;
}
