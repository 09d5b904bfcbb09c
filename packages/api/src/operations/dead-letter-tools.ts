import {
  DeadLetter,
  EventEnvelope,
  MAX_REDRIVE_BATCH,
  STREAMS,
  type DeadLetterItem,
  type DeadLetterPage,
  type DeadLetterQuery,
  type RedriveMatching,
  type RedrivenMatching,
  type StreamName,
} from '@pizza/contracts';
import { PIPELINE_STREAMS, type BusInspection, type EventBus, type StreamEntry } from '@pizza/infra';
import { AppError } from '../app-error';

/** How many dead letters one listing call reads at most while filtering (the rest: `next`). */
const SCAN_LIMIT = 5_000;
const BATCH = 250;

function itemOf(entry: StreamEntry): DeadLetterItem | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.data);
  } catch {
    return null;
  }
  const letter = DeadLetter.safeParse(parsed);
  if (!letter.success) return null;
  const { failedAt, ...rest } = letter.data;
  return { id: entry.id, ...rest, deadAt: failedAt };
}

/** Stream and group exactly; the error by a part of its text, any case. */
function matches(item: DeadLetterItem, filter: RedriveMatching): boolean {
  return (
    (!filter.stream || item.stream === filter.stream) &&
    (!filter.group || item.group === filter.group) &&
    (!filter.error || item.error.toLowerCase().includes(filter.error.toLowerCase()))
  );
}

const notFound = (id: string) => new AppError('NOT_FOUND', `Dead letter "${id}" does not exist (or was already redriven or discarded)`);

/** Listing, redriving and discarding the entries of `dead-letters`, through the bus ports. */
export function createDeadLetterTools(bus: EventBus, inspection: BusInspection) {
  const read = async (id: string) => {
    const entry = await inspection.get(STREAMS.deadLetters, id);
    const item = entry && itemOf(entry);
    if (!item) throw notFound(id);
    return { item, data: entry.data };
  };

  async function list(query: DeadLetterQuery): Promise<DeadLetterPage> {
    const items: DeadLetterItem[] = [];
    let after = query.cursor ?? null;
    for (let scanned = 0; scanned < SCAN_LIMIT; ) {
      const batch = await inspection.range(STREAMS.deadLetters, after, BATCH);
      for (const entry of batch) {
        after = entry.id;
        const item = itemOf(entry);
        if (item && matches(item, query)) {
          items.push(item);
          if (items.length === query.limit) return { items, next: entry.id };
        }
      }
      if (batch.length < BATCH) return { items, next: null };
      scanned += batch.length;
    }
    return { items, next: after };
  }

  /** Publishes the original envelope, unchanged, to its stream; the entry leaves the list. */
  async function redrive(id: string): Promise<{ id: string; republishedAs: string }> {
    const { item, data } = await read(id);
    const stream = PIPELINE_STREAMS.find((s) => s === item.stream) as StreamName | undefined;
    if (!stream || !EventEnvelope.safeParse(item.envelope).success) {
      throw new AppError('VALIDATION_ERROR', `Dead letter "${id}" holds no valid event for a known stream; discard it instead`, {
        issues: [{ path: 'id', message: 'not redrivable' }],
      });
    }
    // only the caller that removes the entry publishes it: a second redrive is a 404
    if (!(await inspection.remove(STREAMS.deadLetters, id))) throw notFound(id);
    try {
      return { id, republishedAs: await bus.publish(stream, item.envelope as EventEnvelope) };
    } catch (error) {
      // not published: the letter goes back on the list (under a new id) instead of being lost
      await inspection.append(STREAMS.deadLetters, data);
      throw error;
    }
  }

  return {
    count: () => inspection.length(STREAMS.deadLetters),
    list,
    redrive,

    /**
     * Redrives the letters matching the filter, oldest first, at most MAX_REDRIVE_BATCH per call.
     * The letters are picked (paging through the whole list) before any is redriven, so letters
     * that fail again, which come back as new entries, are not redriven twice by one call; `more`
     * says whether matching letters are left after those picked. Entries gone meanwhile (another
     * operator) and entries with no valid event are passed over; a refused publish ends the call
     * (`more`), or fails it when nothing was redriven yet.
     */
    async redriveMatching(filter: RedriveMatching): Promise<RedrivenMatching> {
      const picked: DeadLetterItem[] = [];
      let cursor: string | null = null;
      do {
        const page = await list({ ...filter, limit: MAX_REDRIVE_BATCH - picked.length, ...(cursor ? { cursor } : {}) });
        picked.push(...page.items);
        cursor = page.next;
      } while (cursor && picked.length < MAX_REDRIVE_BATCH);
      let more = false;
      while (cursor && !more) {
        const page = await list({ ...filter, limit: 1, cursor });
        more = page.items.length > 0;
        cursor = page.next;
      }
      const redriven: RedrivenMatching['redriven'] = [];
      for (const item of picked) {
        try {
          redriven.push(await redrive(item.id));
        } catch (error) {
          if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'VALIDATION_ERROR')) continue;
          if (redriven.length === 0) throw error;
          return { redriven, more: true };
        }
      }
      return { redriven, more };
    },

    async discard(id: string): Promise<void> {
      if (!(await inspection.remove(STREAMS.deadLetters, id))) throw notFound(id);
    },
  };
}

export type DeadLetterTools = ReturnType<typeof createDeadLetterTools>;
