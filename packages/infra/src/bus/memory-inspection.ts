import type { StreamName } from '@pizza/contracts';
import { PIPELINE_STREAMS, type BusInspection, type StreamEntry } from './bus-inspection';
import type { MemoryGroup, StreamLog } from './memory-stream';

/** What the in-process bus lets its inspection see. */
export interface MemoryBusView {
  log(stream: StreamName): StreamLog | undefined;
  groups(stream: StreamName): Iterable<MemoryGroup>;
  append(stream: StreamName, data: string): StreamEntry;
}

/**
 * The in-process side of the operator's view, read from the bus's own logs and groups. The log is
 * append-only (group cursors are positions in it), so a removed entry is remembered as deleted
 * instead of spliced out; the memory of an entry goes once the log has trimmed it.
 */
export function createMemoryInspection(view: MemoryBusView): BusInspection {
  const deleted = new Map<StreamName, Set<string>>();
  const deletedIn = (stream: StreamName) => {
    let ids = deleted.get(stream);
    if (!ids) deleted.set(stream, (ids = new Set()));
    return ids;
  };
  const live = (stream: StreamName): StreamEntry[] => {
    const entries = view.log(stream)?.all() ?? [];
    const gone = deleted.get(stream);
    if (!gone?.size) return [...entries];
    const kept = entries.filter((e) => !gone.has(e.id));
    if (gone.size > entries.length - kept.length) {
      const present = new Set(entries.map((e) => e.id));
      for (const id of gone) if (!present.has(id)) gone.delete(id);
    }
    return kept;
  };
  const after = (a: string, b: string) => {
    const [am, as] = a.split('-').map(Number) as [number, number];
    const [bm, bs] = b.split('-').map(Number) as [number, number];
    return am > bm || (am === bm && as > bs);
  };

  return {
    async streams() {
      const now = Date.now();
      return PIPELINE_STREAMS.map((name) => ({
        name,
        length: live(name).length,
        entriesAdded: view.log(name)?.end ?? 0,
        groups: [...view.groups(name)].map((g) => g.inspect(now)),
      }));
    },
    async length(stream) {
      return live(stream).length;
    },
    async range(stream, from, count) {
      const entries = live(stream);
      const start = from === null ? 0 : entries.findIndex((e) => after(e.id, from));
      return start < 0 ? [] : entries.slice(start, start + count);
    },
    async get(stream, id) {
      return live(stream).find((e) => e.id === id) ?? null;
    },
    async append(stream, data) {
      return view.append(stream, data).id;
    },
    async remove(stream, id) {
      if (!live(stream).some((e) => e.id === id)) return false;
      deletedIn(stream).add(id);
      return true;
    },
    async close() {},
  };
}
