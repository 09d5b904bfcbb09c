/**
 * Typed readers for the raw Redis Streams replies the adapter uses (ioredis returns nested arrays).
 * A reply of an unexpected shape throws, so a protocol surprise is loud instead of silently empty.
 */

export interface RawEntry {
  id: string;
  /** The `data` field, undefined when the entry has none (or was deleted). */
  data: string | undefined;
}

function fail(what: string, reply: unknown): never {
  throw new Error(`unexpected ${what} reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
}

function asArray(reply: unknown, what: string): unknown[] {
  if (!Array.isArray(reply)) fail(what, reply);
  return reply;
}

/** `[id, [field, value, …]]` → entry. */
function readEntry(raw: unknown, what: string): RawEntry {
  const [id, fields] = asArray(raw, what);
  if (typeof id !== 'string') fail(what, raw);
  let data: string | undefined;
  if (Array.isArray(fields)) {
    for (let i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i] === 'data' && typeof fields[i + 1] === 'string') data = fields[i + 1] as string;
    }
  }
  return { id, data };
}

/** XREAD / XREADGROUP: `[[stream, [[id, fields], …]], …]` or null on timeout. */
export function readStreamsReply(reply: unknown): { stream: string; entries: RawEntry[] }[] {
  if (reply === null) return [];
  return asArray(reply, 'XREAD').map((item) => {
    const [stream, entries] = asArray(item, 'XREAD');
    if (typeof stream !== 'string') fail('XREAD', item);
    return { stream, entries: asArray(entries, 'XREAD').map((e) => readEntry(e, 'XREAD')) };
  });
}

/** XREVRANGE … COUNT 1: the newest id, or null for an empty or missing stream. */
export function newestIdReply(reply: unknown): string | null {
  const [first] = asArray(reply, 'XREVRANGE');
  return first === undefined ? null : readEntry(first, 'XREVRANGE').id;
}

/** The claim-owned script in fetch mode: `[[id, fields, deliveryCount], …]`. */
export function claimedEntriesReply(reply: unknown): (RawEntry & { deliveries: number })[] {
  return asArray(reply, 'claim').map((item) => {
    const [, , count] = asArray(item, 'claim');
    if (typeof count !== 'number') fail('claim', item);
    return { ...readEntry(item, 'claim'), deliveries: count };
  });
}

/** A list of ids (claim-owned in touch mode). */
export function idsReply(reply: unknown): string[] {
  return asArray(reply, 'ids').map((id) => (typeof id === 'string' ? id : fail('ids', reply)));
}

/** XAUTOCLAIM … JUSTID: `[nextCursor, [id, …], [deletedId, …]]`. */
export function autoclaimReply(reply: unknown): { cursor: string; ids: string[] } {
  const [cursor, ids] = asArray(reply, 'XAUTOCLAIM');
  if (typeof cursor !== 'string') fail('XAUTOCLAIM', reply);
  return { cursor, ids: idsReply(ids) };
}

/** XPENDING extended form: `[[id, consumer, idleMs, deliveries], …]` → ids. */
export function pendingIdsReply(reply: unknown): string[] {
  return asArray(reply, 'XPENDING').map((item) => {
    const [id] = asArray(item, 'XPENDING');
    return typeof id === 'string' ? id : fail('XPENDING', item);
  });
}

/** XPENDING summary form: `[count, minId, maxId, consumers]` → count. */
export function pendingCountReply(reply: unknown): number {
  const [count] = asArray(reply, 'XPENDING');
  return typeof count === 'number' ? count : fail('XPENDING', reply);
}

/** XPENDING summary form: the smallest (oldest) pending id, or null when nothing is pending. */
export function oldestPendingReply(reply: unknown): string | null {
  const [, minId] = asArray(reply, 'XPENDING');
  return typeof minId === 'string' ? minId : null;
}

/** XINFO GROUPS: the `lag` of one group (Redis 7+); null when unknown or not reported. */
export function groupLagReply(reply: unknown, group: string): number | null {
  for (const item of asArray(reply, 'XINFO GROUPS')) {
    const fields = asArray(item, 'XINFO GROUPS');
    const info = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < fields.length; i += 2) info.set(fields[i], fields[i + 1]);
    if (info.get('name') !== group) continue;
    const lag = info.get('lag');
    return typeof lag === 'number' ? lag : null;
  }
  return null;
}
