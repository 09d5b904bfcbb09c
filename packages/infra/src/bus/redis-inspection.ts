import type { StreamName } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { redisLinkOptions } from './redis-connection';
import { PIPELINE_STREAMS, entryAgeMs, type BusInspection, type InspectedGroup, type InspectedStream, type StreamEntry } from './bus-inspection';

/** `[field, value, …]` → map (the XINFO reply shape). */
function fieldsOf(reply: unknown): Map<string, unknown> {
  const fields = Array.isArray(reply) ? reply : [];
  const info = new Map<string, unknown>();
  for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
  return info;
}

const count = (value: unknown) => (typeof value === 'number' && value >= 0 ? value : 0);
const isMissingKey = (error: unknown) => error instanceof Error && /no such key/i.test(error.message);

/** The Redis Streams side of the operator's view: XINFO, XPENDING, XRANGE and XDEL on its own connection. */
export function createRedisInspection(url: string): BusInspection {
  const redis = new Redis(url, { ...redisLinkOptions(), connectionName: 'pizza-bus-inspection', maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
  redis.on('error', () => undefined); // callers see the failed command; the bus logs the outage

  const groupOf = async (stream: StreamName, raw: unknown, now: number): Promise<InspectedGroup> => {
    const info = fieldsOf(raw);
    const name = String(info.get('name'));
    const [summary, consumers] = await Promise.all([
      redis.call('XPENDING', stream, name),
      redis.call('XINFO', 'CONSUMERS', stream, name),
    ]);
    const oldest = Array.isArray(summary) && typeof summary[1] === 'string' ? summary[1] : null;
    const lag = info.get('lag');
    // a group that never read anything has no entries-read yet
    const read = info.get('entries-read') ?? (info.get('last-delivered-id') === '0-0' ? 0 : null);
    return {
      name,
      lag: typeof lag === 'number' ? lag : null,
      entriesRead: typeof read === 'number' ? read : null,
      pending: count(info.get('pending')),
      oldestPendingMs: oldest ? entryAgeMs(oldest, now) : 0,
      consumers: (consumers as unknown[]).map((c) => {
        const consumer = fieldsOf(c);
        return { name: String(consumer.get('name')), pending: count(consumer.get('pending')), idleMs: count(consumer.get('idle')) };
      }),
    };
  };

  const streamOf = async (name: StreamName): Promise<InspectedStream> => {
    const now = Date.now();
    try {
      const [stream, groups] = await Promise.all([redis.call('XINFO', 'STREAM', name), redis.call('XINFO', 'GROUPS', name)]);
      const info = fieldsOf(stream);
      return {
        name,
        length: count(info.get('length')),
        entriesAdded: count(info.get('entries-added')),
        groups: await Promise.all((groups as unknown[]).map((g) => groupOf(name, g, now))),
      };
    } catch (error) {
      if (isMissingKey(error)) return { name, length: 0, entriesAdded: 0, groups: [] };
      throw error;
    }
  };

  return {
    streams: () => Promise.all(PIPELINE_STREAMS.map(streamOf)),
    length: (stream) => redis.xlen(stream),
    async range(stream, after, limit): Promise<StreamEntry[]> {
      const reply = (await redis.xrange(stream, after === null ? '-' : `(${after}`, '+', 'COUNT', limit)) as [string, string[]][];
      return reply.map(([id, fields]) => ({ id, data: String(fieldsOf(fields).get('data') ?? '') }));
    },
    async get(stream, id) {
      const [entry] = (await redis.xrange(stream, id, id)) as [string, string[]][];
      return entry ? { id: entry[0], data: String(fieldsOf(entry[1]).get('data') ?? '') } : null;
    },
    async append(stream, data) {
      return (await redis.xadd(stream, '*', 'data', data))!;
    },
    async remove(stream, id) {
      return (await redis.xdel(stream, id)) === 1;
    },
    async close() {
      await redis.quit().catch(() => undefined);
      redis.disconnect();
    },
  };
}
