import { randomUUID } from 'node:crypto';
import { STREAMS, type DeadLetter, type EventEnvelope, type StreamName } from '@pizza/contracts';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { BusMessage, ConsumeOptions, Consumer, EventBus, Subscription } from './event-bus';
import { startGroupGauges } from './group-gauges';
import { defineClaimOwned } from './redis-claim-owned';
import { READ_GRACE_MS, connectBusRedis } from './redis-connection';
import { RedisGroupConsumer } from './redis-consumer';
import { groupLagReply, pendingCountReply } from './redis-replies';
import { RedisSubscription } from './redis-subscription';

export interface RedisBusOptions {
  url: string;
  logger: Logger;
  metrics: Metrics;
  /** Approximate stream length kept by `XADD … MAXLEN ~` (default 100000). */
  maxLen?: number;
  /** Pending entries idle this long are claimed by another consumer (STREAM_CLAIM_IDLE_MS, default 30000). */
  claimIdleMs?: number;
  /** How often each consumer runs XAUTOCLAIM (default claimIdleMs / 2, at most 10 s). */
  claimIntervalMs?: number;
  /** XREAD/XREADGROUP BLOCK timeout (default 5000). */
  blockMs?: number;
  /** How often the pending/lag gauges are refreshed (default 5000). */
  gaugeIntervalMs?: number;
  /** `ping()` fails while a stream reader has not completed a read for this long (default 2 × (blockMs + 3000)). */
  stallAfterMs?: number;
}

const PING_TIMEOUT_MS = 2_000;

/** A blocking read loop whose progress health can watch. */
interface StreamReader {
  readonly description: string;
  /** Milliseconds since the loop last completed a read (0 while it waits for free handler slots). */
  stalledForMs(now: number): number;
}

/**
 * The Redis Streams adapter of the event bus port (distributed topology). One shared connection
 * for publishing and bookkeeping, one dedicated connection per blocking reader.
 */
export function createRedisBus(options: RedisBusOptions): EventBus {
  const logger = options.logger.child({ component: 'event-bus', adapter: 'redis' });
  const { metrics } = options;
  const maxLen = options.maxLen ?? 100_000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimIntervalMs =
    options.claimIntervalMs ?? Math.max(50, Math.min(Math.floor(claimIdleMs / 2), 10_000));
  const blockMs = options.blockMs ?? 5_000;
  const stallAfterMs = options.stallAfterMs ?? 2 * (blockMs + READ_GRACE_MS);
  const connect = (role: 'command' | 'reader') => connectBusRedis(options.url, role, logger, blockMs);

  const command = connect('command');
  defineClaimOwned(command);
  const consumers = new Set<RedisGroupConsumer>();
  const subscriptions = new Set<RedisSubscription>();
  let closing: Promise<void> | null = null;

  const append = async (stream: StreamName, data: string): Promise<string> => {
    const id = await command.xadd(stream, 'MAXLEN', '~', maxLen, '*', 'data', data);
    if (id === null) throw new Error(`XADD to ${stream} returned no id`);
    return id;
  };
  const writeDeadLetter = async (letter: DeadLetter) => {
    await append(STREAMS.deadLetters, JSON.stringify(letter));
  };
  const assertAccepting = () => {
    if (closing) throw new Error('the event bus is closing');
  };
  /** A consumer stuck on a dead link is a health failure even when a fresh PING gets through. */
  const assertReadersProgress = () => {
    const now = Date.now();
    const readers: Iterable<StreamReader> = [...consumers, ...subscriptions];
    for (const reader of readers) {
      const stalled = reader.stalledForMs(now);
      if (stalled > stallAfterMs)
        throw new Error(`${reader.description} has not completed a read for ${Math.round(stalled / 1000)} s`);
    }
  };

  const gauges = startGroupGauges({
    metrics,
    logger,
    intervalMs: options.gaugeIntervalMs ?? 5_000,
    groups: function* () {
      const seen = new Set<string>();
      for (const consumer of consumers) {
        for (const stream of consumer.streams) {
          const key = `${stream} ${consumer.group}`;
          if (seen.has(key)) continue;
          seen.add(key);
          yield { stream, group: consumer.group };
        }
      }
    },
    stats: async (stream, group) => {
      const [pending, groups] = await Promise.all([
        command.call('XPENDING', stream, group),
        command.call('XINFO', 'GROUPS', stream),
      ]);
      return { pending: pendingCountReply(pending), lag: groupLagReply(groups, group) };
    },
  });

  return {
    async publish(stream: StreamName, envelope: EventEnvelope): Promise<string> {
      const id = await append(stream, JSON.stringify(envelope));
      metrics.eventsPublished.inc({ stream, type: envelope.type });
      return id;
    },

    consume(consume: ConsumeOptions): Consumer {
      assertAccepting();
      const name = consume.consumer ?? `consumer-${randomUUID()}`;
      const consumer = new RedisGroupConsumer(
        {
          command,
          reader: connect('reader'),
          logger,
          metrics,
          claimIdleMs,
          claimIntervalMs,
          blockMs,
          writeDeadLetter,
        },
        {
          streams: consume.streams,
          group: consume.group,
          consumer: name,
          handler: consume.handler,
          concurrency: consume.concurrency ?? 32,
        },
      );
      consumers.add(consumer);
      const close = consumer.close.bind(consumer);
      return {
        ready: consumer.ready,
        close: async () => {
          await close();
          consumers.delete(consumer);
        },
      };
    },

    subscribe(
      streams: readonly StreamName[],
      handler: (message: BusMessage) => void | Promise<void>,
    ): Subscription {
      assertAccepting();
      const subscription = new RedisSubscription(
        { reader: connect('reader'), logger, metrics, blockMs },
        streams,
        handler,
      );
      subscriptions.add(subscription);
      return {
        ready: subscription.ready,
        close: async () => {
          await subscription.close();
          subscriptions.delete(subscription);
        },
      };
    },

    async ping(): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer PING within ${PING_TIMEOUT_MS} ms`)),
          PING_TIMEOUT_MS,
        );
      });
      try {
        assertReadersProgress();
        await Promise.race([command.ping(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    close(): Promise<void> {
      closing ??= (async () => {
        // Consumers first: their in-flight handlers still ack and publish over the shared connection.
        await Promise.all([...consumers].map((c) => c.close()));
        await Promise.all([...subscriptions].map((s) => s.close()));
        gauges.stop();
        await command.quit().catch(() => undefined);
        command.disconnect();
      })();
      return closing;
    },
  };
}
