import {
  DeadLetter,
  EventEnvelope,
  STREAMS,
  type DeadLetterItem,
  type DeadLetterPage,
  type DeadLetterQuery,
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

const notFound = (id: string) => new AppError('NOT_FOUND', `Dead letter "${id}" does not exist (or was already redriven or discarded)`);

/** Listing, redriving and discarding the entries of `dead-letters`, through the bus ports. */
export function createDeadLetterTools(bus: EventBus, inspection: BusInspection) {
  const read = async (id: string) => {
    const entry = await inspection.get(STREAMS.deadLetters, id);
    const item = entry && itemOf(entry);
    if (!item) throw notFound(id);
    return { item, data: entry.data };
  };

  return {
    count: () => inspection.length(STREAMS.deadLetters),

    async list(query: DeadLetterQuery): Promise<DeadLetterPage> {
      const items: DeadLetterItem[] = [];
      let after = query.cursor ?? null;
      for (let scanned = 0; scanned < SCAN_LIMIT; ) {
        const batch = await inspection.range(STREAMS.deadLetters, after, BATCH);
        for (const entry of batch) {
          after = entry.id;
          const item = itemOf(entry);
          if (item && (!query.stream || item.stream === query.stream) && (!query.group || item.group === query.group)) {
            items.push(item);
            if (items.length === query.limit) return { items, next: entry.id };
          }
        }
        if (batch.length < BATCH) return { items, next: null };
        scanned += batch.length;
      }
      return { items, next: after };
    },

    /** Publishes the original envelope, unchanged, to its stream; the entry leaves the list. */
    async redrive(id: string): Promise<{ id: string; republishedAs: string }> {
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
    },

    async discard(id: string): Promise<void> {
      if (!(await inspection.remove(STREAMS.deadLetters, id))) throw notFound(id);
    },
  };
}

export type DeadLetterTools = ReturnType<typeof createDeadLetterTools>;
