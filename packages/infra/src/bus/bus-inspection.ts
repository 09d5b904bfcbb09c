import type { PipelineGroup, PipelineStream, StreamName } from '@pizza/contracts';

/** A group as the engine describes it; rates and handler timings are added by the operations API. */
export type InspectedGroup = Omit<PipelineGroup, 'deliveredPerSecond' | 'handler'>;
/** A stream as the engine describes it, with its counters (`entriesAdded`, each group's `entriesRead`). */
export type InspectedStream = Omit<PipelineStream, 'groups' | 'perSecond' | 'producers' | 'tails'> & { groups: InspectedGroup[] };

/** One raw stream entry: its id and the JSON it carries. */
export interface StreamEntry {
  id: string;
  data: string;
}

/**
 * The operator's view of the bus, beside the EventBus port: what each stream and group holds,
 * and the entry-level access the dead-letter tools need. Each adapter answers from its own
 * structures (Redis: XINFO/XPENDING/XRANGE/XDEL; in-process: its logs and groups).
 */
export interface BusInspection {
  /** Every stream the system uses (dead letters excepted), with its groups and their consumers. */
  streams(): Promise<InspectedStream[]>;
  /** Entries in a stream, not counting deleted ones. */
  length(stream: StreamName): Promise<number>;
  /** Up to `count` entries with ids above `after` (null: from the start), oldest first. */
  range(stream: StreamName, after: string | null, count: number): Promise<StreamEntry[]>;
  /** One entry by id, null when it is not (or no longer) there. */
  get(stream: StreamName, id: string): Promise<StreamEntry | null>;
  /** Appends raw data as a new entry (a dead letter put back); answers its id. */
  append(stream: StreamName, data: string): Promise<string>;
  /** Deletes one entry; true only for the one caller that actually removed it. */
  remove(stream: StreamName, id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The streams the pipeline view lists, in the order events flow through them. */
export const PIPELINE_STREAMS = [
  'orders-stream',
  'simulate-order-stream',
  'order-status-stream',
  'deliveries-stream',
  'simulate-delivery-stream',
  'delivery-status-stream',
] as const satisfies readonly StreamName[];

/** Age of an entry from the millisecond part of its id. */
export function entryAgeMs(id: string, now: number): number {
  return Math.max(0, now - Number(id.slice(0, id.indexOf('-'))));
}
