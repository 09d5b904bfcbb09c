import type { EventEnvelope, StreamName } from '@pizza/contracts';

/**
 * The event bus port. Redis Streams in the distributed topology, an in-process bus
 * with the same semantics in the embedded one.
 */
export interface EventBus {
  /** Appends an envelope to a stream (`XADD … MAXLEN ~`). Resolves with the entry id once accepted. */
  publish(stream: StreamName, envelope: EventEnvelope): Promise<string>;

  /**
   * Consumes streams as one consumer of a group. Every group sees every entry; within a group each
   * entry goes to one consumer. The handler's success acks the entry; a throw leaves it pending and
   * the same consumer retries it after a short backoff (another consumer claims it after
   * `claimIdleMs` if this one dies); after MAX_DELIVERY_ATTEMPTS failures the entry is written to
   * `dead-letters` and acked. Unparseable entries go to `dead-letters` at once. A handler that throws
   * `MessageAbandoned` (e.g. on shutdown) leaves the entry pending without counting a failure.
   */
  consume(options: ConsumeOptions): Consumer;

  /**
   * Broadcast tail without a group: every subscriber (every notifications replica) receives every
   * entry published after it subscribed. No acks, no redelivery.
   */
  subscribe(streams: readonly StreamName[], handler: (message: BusMessage) => void | Promise<void>): Subscription;

  /** Throws when the bus does not answer (health). */
  ping(): Promise<void>;
  /** Stops every consumer and subscription (waiting for in-flight handlers), then disconnects. Idempotent. */
  close(): Promise<void>;
}

export interface BusMessage {
  stream: StreamName;
  /** Stream entry id (Redis `ms-seq`, or the in-process equivalent). */
  entryId: string;
  envelope: EventEnvelope;
  /** 1 on first delivery, then 2, 3 … */
  attempt: number;
}

export interface ConsumeOptions {
  streams: readonly StreamName[];
  group: string;
  /** Unique per process (e.g. `${service}-${hostname}-${pid}`); defaults to a random name. */
  consumer?: string;
  handler: (message: BusMessage) => Promise<void>;
  /** Max handlers in flight for this consumer (default 32). */
  concurrency?: number;
}

export interface Consumer {
  /** Resolves once the group exists and the read loop has started. */
  ready: Promise<void>;
  /** Stops reading, waits for in-flight handlers. Idempotent. */
  close(): Promise<void>;
}

export interface Subscription {
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Thrown by a handler that stops before finishing for a reason that is not the message's fault
 * (the process is shutting down): the entry stays pending for the next consumer, and this attempt
 * counts as neither a failure nor a step towards `dead-letters`.
 */
export class MessageAbandoned extends Error {
  override name = 'MessageAbandoned';
}
