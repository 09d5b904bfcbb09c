import {
  MAX_DELIVERY_ATTEMPTS,
  STREAMS,
  parseEnvelope,
  type DeadLetter,
  type EventEnvelope,
  type StreamName,
} from '@pizza/contracts';
import type { Logger } from '../logger';
import { observeSeconds, type Metrics } from '../metrics';
import { errorMessage } from './backoff';
import { traceExemplarOf } from '../tracing/message-trace-ids';
import { MessageAbandoned, type BusMessage } from './event-bus';

/**
 * What happens to one delivered stream entry, shared by the Redis and in-process adapters so both
 * keep the same semantics: parse, run the handler, then ack, retry later or dead-letter.
 */

/** One delivery of a stream entry. `data` is the raw `data` field (undefined when it is missing). */
export interface Delivery {
  stream: StreamName;
  entryId: string;
  data: string | undefined;
  /** The entry's delivery count (1 on first delivery). */
  attempt: number;
}

/** How an adapter settles an entry. */
export interface Settlement {
  ack(): Promise<void>;
  /** Writes the letter to `dead-letters`, then acks the entry. */
  deadLetter(letter: DeadLetter): Promise<void>;
  /** Leaves the entry pending and delivers it again after `delayMs`. */
  retryLater(delayMs: number): void;
}

export interface GroupContext {
  group: string;
  handler: (message: BusMessage) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  claimIdleMs: number;
}

/** The `group` metric label of broadcast subscriptions, which have no consumer group. */
const BROADCAST_GROUP = 'broadcast';

/**
 * Delay before a live consumer retries its own failed entry: quick, growing, and always well below
 * the claim idle time so another consumer does not claim an entry that is merely waiting.
 */
export function retryDelayMs(attempt: number, claimIdleMs: number): number {
  return Math.max(10, Math.min(250 * 2 ** (attempt - 1), 5_000, Math.floor(claimIdleMs / 2)));
}

export async function processEntry(ctx: GroupContext, delivery: Delivery, settle: Settlement): Promise<void> {
  const { stream, entryId, attempt } = delivery;
  const labels = { stream, group: ctx.group };

  let envelope: EventEnvelope;
  try {
    envelope = parseEnvelope(delivery.data ?? '');
  } catch (err) {
    const log = ctx.logger.child({ stream, entryId });
    // Never dead-letter a dead letter: that would loop.
    if (stream === STREAMS.deadLetters) {
      log.warn('ignoring a dead-letters entry read as an event');
      await settle.ack().catch((ackErr: unknown) => log.warn({ err: ackErr }, 'ack failed'));
      return;
    }
    await deadLetter(ctx, delivery, log, `invalid envelope: ${errorMessage(err)}`, settle);
    return;
  }

  const log = ctx.logger.child({ stream, entryId, eventId: envelope.eventId, orderId: envelope.orderId });
  if (attempt > MAX_DELIVERY_ATTEMPTS) {
    // Delivered this often without an ack or a recorded failure: the handler keeps killing its process.
    await deadLetter(ctx, delivery, log, `delivered ${attempt} times without being acknowledged`, settle);
    return;
  }

  const message: BusMessage = { stream, entryId, envelope, attempt };
  const started = process.hrtime.bigint();
  // with tracing on, the observation carries the id of the trace the handler ran in
  const stopTimer = () =>
    observeSeconds(ctx.metrics, ctx.metrics.streamDuration, labels, Number(process.hrtime.bigint() - started) / 1e9, traceExemplarOf(message));
  try {
    await ctx.handler(message);
  } catch (err) {
    stopTimer();
    if (err instanceof MessageAbandoned) {
      // no failure counted; a stopping consumer hands it on (in-process) or leaves it to be claimed (Redis)
      log.debug({ attempt }, 'handler abandoned the message; it stays pending');
      settle.retryLater(retryDelayMs(1, ctx.claimIdleMs));
      return;
    }
    if (attempt >= MAX_DELIVERY_ATTEMPTS) {
      await deadLetter(ctx, delivery, log, errorMessage(err), settle, err);
      return;
    }
    ctx.metrics.streamProcessed.inc({ ...labels, status: 'error' });
    const delayMs = retryDelayMs(attempt, ctx.claimIdleMs);
    log.warn(
      { err, attempt, retryInMs: delayMs },
      'handler failed; the message stays pending and will be retried',
    );
    settle.retryLater(delayMs);
    return;
  }
  stopTimer();
  ctx.metrics.streamProcessed.inc({ ...labels, status: 'success' });
  log.debug({ attempt, type: envelope.type }, 'message handled');
  try {
    await settle.ack();
  } catch (err) {
    log.warn({ err }, 'ack failed; the message stays pending and will be redelivered');
  }
}

async function deadLetter(
  ctx: GroupContext,
  delivery: Delivery,
  log: Logger,
  error: string,
  settle: Settlement,
  cause?: unknown,
): Promise<void> {
  const letter: DeadLetter = {
    stream: delivery.stream,
    group: ctx.group,
    entryId: delivery.entryId,
    envelope: rawEnvelope(delivery.data),
    error,
    attempts: delivery.attempt,
    failedAt: new Date().toISOString(),
  };
  try {
    await settle.deadLetter(letter);
  } catch (err) {
    log.warn({ err }, 'writing the dead letter failed; the message stays pending and will be redelivered');
    return;
  }
  const labels = { stream: delivery.stream, group: ctx.group };
  ctx.metrics.streamProcessed.inc({ ...labels, status: 'dead_letter' });
  ctx.metrics.streamDlq.inc(labels);
  log.error({ err: cause, error, attempts: delivery.attempt }, 'message moved to dead-letters');
}

/** The original envelope for a dead letter: parsed when it is JSON, else the raw text. */
function rawEnvelope(data: string | undefined): unknown {
  if (data === undefined) return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

/** A broadcast delivery (no group): parse and hand over; failures are logged, never retried. */
export async function processBroadcast(
  ctx: { handler: (message: BusMessage) => void | Promise<void>; logger: Logger; metrics: Metrics },
  stream: StreamName,
  entryId: string,
  data: string | undefined,
): Promise<void> {
  const labels = { stream, group: BROADCAST_GROUP };
  let envelope: EventEnvelope;
  try {
    envelope = parseEnvelope(data ?? '');
  } catch (err) {
    if (stream !== STREAMS.deadLetters)
      ctx.logger.warn({ err, stream, entryId }, 'skipping an entry that is not a valid envelope');
    return;
  }
  const stopTimer = ctx.metrics.streamDuration.startTimer(labels);
  try {
    await ctx.handler({ stream, entryId, envelope, attempt: 1 });
    ctx.metrics.streamProcessed.inc({ ...labels, status: 'success' });
  } catch (err) {
    ctx.metrics.streamProcessed.inc({ ...labels, status: 'error' });
    ctx.logger.warn(
      { err, stream, entryId, eventId: envelope.eventId, orderId: envelope.orderId },
      'subscriber handler failed',
    );
  } finally {
    stopTimer();
  }
}
