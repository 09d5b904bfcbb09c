import type { Redis } from 'ioredis';
import { turnBatch } from '../batching/turn-batch';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Command =
  | ({ kind: 'xadd'; stream: string; data: string } & Waiter<string>)
  | ({ kind: 'xack'; stream: string; group: string; entryId: string } & Waiter<void>);

/** How one queued reply of the pipeline is delivered (XACKs of one stream and group share one reply). */
type Reply = (error: Error | null, result: unknown) => void;

export interface RedisTurnPipeline {
  /** `XADD stream MAXLEN ~ maxLen * data …`; resolves with the entry id. */
  xadd(stream: string, data: string): Promise<string>;
  /** Acknowledges one entry; the acks of one turn for one stream and group go out as one multi-id XACK. */
  xack(stream: string, group: string, entryId: string): Promise<void>;
}

/**
 * The bus's writes of one event-loop turn sent as one pipeline (one network write, one round trip):
 * an outbox relay's batch of XADDs, and the acks of every handler that finished in that turn.
 */
export function redisTurnPipeline(redis: Redis, maxLen: number): RedisTurnPipeline {
  const batch = turnBatch<Command>((commands) => {
    const pipeline = redis.pipeline();
    const replies: Reply[] = [];
    const acks = new Map<string, { stream: string; group: string; entryIds: string[]; waiters: Waiter<void>[] }>();
    for (const command of commands) {
      if (command.kind === 'xadd') {
        pipeline.xadd(command.stream, 'MAXLEN', '~', maxLen, '*', 'data', command.data);
        replies.push((error, id) => {
          if (error) command.reject(error);
          else if (typeof id !== 'string') command.reject(new Error(`XADD to ${command.stream} returned no id`));
          else command.resolve(id);
        });
        continue;
      }
      const key = `${command.stream}\n${command.group}`;
      const ack = acks.get(key) ?? { stream: command.stream, group: command.group, entryIds: [], waiters: [] };
      acks.set(key, ack);
      ack.entryIds.push(command.entryId);
      ack.waiters.push(command);
    }
    for (const { stream, group, entryIds, waiters } of acks.values()) {
      pipeline.xack(stream, group, ...entryIds);
      replies.push((error) => {
        for (const waiter of waiters) {
          if (error) waiter.reject(error);
          else waiter.resolve();
        }
      });
    }
    pipeline.exec().then(
      (results) => {
        replies.forEach((reply, i) => {
          const [error, result] = results?.[i] ?? [new Error('the Redis pipeline returned no reply'), null];
          reply(error, result);
        });
      },
      (error: Error) => {
        for (const reply of replies) reply(error, null);
      },
    );
  });

  return {
    xadd: (stream, data) => new Promise((resolve, reject) => batch.add({ kind: 'xadd', stream, data, resolve, reject })),
    xack: (stream, group, entryId) =>
      new Promise((resolve, reject) => batch.add({ kind: 'xack', stream, group, entryId, resolve, reject })),
  };
}
