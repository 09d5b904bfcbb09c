import { z } from 'zod';
import { HOP_KINDS } from './rules';
import { Timestamp } from './order';

/** What the operations API (the control room) answers. */

export const PipelineConsumer = z.object({
  name: z.string(),
  /** Entries delivered to this consumer and not acknowledged yet. */
  pending: z.number().int().nonnegative(),
  /** Milliseconds since the consumer last read or acknowledged. */
  idleMs: z.number().int().nonnegative(),
});

/**
 * What the processes running a consumer (a group, or a broadcast tail) measured while handling its
 * messages, merged over every process that reports it.
 */
export const HandlerStats = z.object({
  /** The services whose processes handle these messages. */
  services: z.array(z.string()),
  /** Processes that reported within the last few seconds. */
  instances: z.number().int().nonnegative(),
  /** Handler runs that succeeded (and were acknowledged) per second, over the rate window. */
  ackedPerSecond: z.number().nonnegative(),
  /** Handler runs that threw per second, over the rate window. */
  failedPerSecond: z.number().nonnegative(),
  /** Handler runs in the latency window (successes and failures). */
  handled: z.number().int().nonnegative(),
  /** Handler duration percentiles over the latency window; null when nothing ran in it. */
  p50Ms: z.number().nonnegative().nullable(),
  p99Ms: z.number().nonnegative().nullable(),
});
export type HandlerStats = z.infer<typeof HandlerStats>;

export const PipelineGroup = z.object({
  name: z.string(),
  /** Entries not yet delivered to the group; null when the engine cannot tell. */
  lag: z.number().int().nonnegative().nullable(),
  pending: z.number().int().nonnegative(),
  /** Age of the oldest pending entry (from its id), 0 when nothing is pending. */
  oldestPendingMs: z.number().int().nonnegative(),
  consumers: z.array(PipelineConsumer),
  /** Entries delivered to the group since it was created; null when the engine cannot tell. */
  entriesRead: z.number().int().nonnegative().nullable(),
  /** Entries delivered to the group per second over the rate window; null until two readings exist. */
  deliveredPerSecond: z.number().nonnegative().nullable(),
  /** Measured in the consuming processes; null when no process reports this group. */
  handler: HandlerStats.nullable(),
});

/** A service appending to a stream, as the publishing processes count it. */
export const PipelineProducer = z.object({
  service: z.string(),
  /** Entries it appended per second over the rate window. */
  perSecond: z.number().nonnegative(),
});

/** A reader without a group (every notifications replica sees every entry). */
export const PipelineTail = HandlerStats;

export const PipelineStream = z.object({
  name: z.string(),
  length: z.number().int().nonnegative(),
  groups: z.array(PipelineGroup),
  /** Entries ever appended (survives trimming). */
  entriesAdded: z.number().int().nonnegative(),
  /** Entries appended per second over the rate window; null until two readings exist. */
  perSecond: z.number().nonnegative().nullable(),
  producers: z.array(PipelineProducer),
  tails: z.array(PipelineTail),
});

export const PipelineSnapshot = z.object({
  at: Timestamp,
  streams: z.array(PipelineStream),
  deadLetters: z.number().int().nonnegative(),
  /** The windows the rates (`…PerSecond`) and the handler percentiles are computed over. */
  windows: z.object({ rateSeconds: z.number().int().positive(), latencySeconds: z.number().int().positive() }),
});
export type PipelineSnapshot = z.infer<typeof PipelineSnapshot>;
export type PipelineStream = z.infer<typeof PipelineStream>;
export type PipelineGroup = z.infer<typeof PipelineGroup>;
export type PipelineProducer = z.infer<typeof PipelineProducer>;

export const DeadLetterItem = z.object({
  /** The entry id in `dead-letters`. */
  id: z.string(),
  stream: z.string(),
  group: z.string(),
  /** The original entry id in its stream. */
  entryId: z.string(),
  error: z.string(),
  attempts: z.number().int(),
  deadAt: Timestamp,
  envelope: z.unknown(),
});
export type DeadLetterItem = z.infer<typeof DeadLetterItem>;

export const DeadLetterPage = z.object({
  items: z.array(DeadLetterItem),
  /** Pass as `cursor` for the next page; null at the end. */
  next: z.string().nullable(),
});
export type DeadLetterPage = z.infer<typeof DeadLetterPage>;

/** A stream entry id (`<ms>-<seq>`). */
export const EntryId = z.string().regex(/^\d{1,16}-\d{1,16}$/, 'expected a stream entry id like 1700000000000-0');

export const DeadLetterQuery = z.object({
  stream: z.string().min(1).max(200).optional(),
  group: z.string().min(1).max(200).optional(),
  /** A part of the error message, any case. */
  error: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: EntryId.optional(),
});
export type DeadLetterQuery = z.infer<typeof DeadLetterQuery>;

export const Redriven = z.object({ id: z.string(), republishedAs: z.string() });

/** How many dead letters one "redrive all matching" call republishes at most. */
export const MAX_REDRIVE_BATCH = 500;

/** `POST /admin/dead-letters/redrive`: every dead letter matching these filters (all when none). */
export const RedriveMatching = DeadLetterQuery.pick({ stream: true, group: true, error: true });
export type RedriveMatching = z.infer<typeof RedriveMatching>;

export const RedrivenMatching = z.object({
  redriven: z.array(Redriven).max(MAX_REDRIVE_BATCH),
  /** True when more matching letters are left (the call stopped at its bound, or at a refused publish): call again. */
  more: z.boolean(),
});
export type RedrivenMatching = z.infer<typeof RedrivenMatching>;

export const MAX_STOCK = 1_000_000;
export const StockUpdate = z.object({ id: z.string().min(1).max(100), stock: z.number().int().min(0).max(MAX_STOCK) });

/** Faults an operator can switch on for a bounded time; they apply to every process. */
export const FAULT_NAMES = ['consumer-delay', 'consumer-failure', 'outbox-pause', 'push-delay', 'bus-outage'] as const;
export const FaultName = z.enum(FAULT_NAMES);
export type FaultName = z.infer<typeof FaultName>;

const delayMs = z.number().int().min(1).max(60_000);
/** The parameters of each fault. */
export const FAULT_PARAMS = {
  'consumer-delay': z.object({ group: z.string().min(1).max(200), delayMs }),
  'consumer-failure': z.object({ group: z.string().min(1).max(200), rate: z.number().min(0).max(1) }),
  'outbox-pause': z.object({ service: z.string().min(1).max(200) }),
  'push-delay': z.object({ delayMs }),
  'bus-outage': z.object({ seconds: z.number().int().min(1).max(60) }),
} as const satisfies Record<FaultName, z.ZodType>;
export type FaultParams<N extends FaultName = FaultName> = z.infer<(typeof FAULT_PARAMS)[N]>;

export const Fault = z.object({
  name: FaultName,
  params: z.record(z.string(), z.unknown()),
  expiresAt: Timestamp,
});
export type Fault = z.infer<typeof Fault>;

/** `PUT /admin/faults/{name}`: the fault's parameters plus its lifetime. */
export const FaultRequest = z
  .object({
    name: FaultName,
    ttlSeconds: z.number().int().min(1).max(3600).default(300),
    group: z.string().optional().describe('consumer-delay, consumer-failure: the consumer group'),
    delayMs: z.number().optional().describe('consumer-delay, push-delay: 1..60000'),
    rate: z.number().optional().describe('consumer-failure: share of deliveries that fail, 0..1'),
    service: z.string().optional().describe('outbox-pause: the service whose outbox stops (e.g. order-service)'),
    seconds: z.number().optional().describe('bus-outage: 1..60'),
  })
  .superRefine((request, ctx) => {
    const parsed = FAULT_PARAMS[request.name].safeParse(request);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type FaultRequest = z.infer<typeof FaultRequest>;

/** `POST /admin/load`: simulated customers placing orders at a steady rate. */
export const LoadRequest = z.object({
  ordersPerSecond: z.number().min(0.1).max(200),
  durationSeconds: z.number().int().min(1).max(600),
  maxItemsPerOrder: z.number().int().min(1).max(5).default(3),
});
export type LoadRequest = z.infer<typeof LoadRequest>;

export const LoadRun = z.object({
  running: z.boolean(),
  ordersPerSecond: z.number(),
  durationSeconds: z.number(),
  startedAt: Timestamp,
  endsAt: Timestamp,
  /** Orders accepted, refused (e.g. out of stock) and failed unexpectedly. */
  placed: z.number().int(),
  rejected: z.number().int(),
  errors: z.number().int(),
  achievedPerSecond: z.number(),
});
export type LoadRun = z.infer<typeof LoadRun>;

/** What one order went through, hop by hop (the control room's order journey). */
export const HopKind = z.enum(HOP_KINDS);
export type HopKind = z.infer<typeof HopKind>;

export const JourneyHop = z.object({
  /** When it happened (for `http`: when the request arrived; for `process`: when the handler started). */
  at: Timestamp,
  kind: HopKind,
  /** The service that did it: order-service, delivery, simulator or notifications. */
  service: z.string(),
  /** The process that did it (its consumer name). */
  instance: z.string(),
  stream: z.string().optional(),
  group: z.string().optional(),
  eventType: z.string().optional(),
  attempt: z.number().int().positive().optional(),
  /** `process`: how long the entry waited in the stream before this attempt started. */
  waitedMs: z.number().int().nonnegative().optional(),
  /** `http`, `process`: how long the work took. */
  tookMs: z.number().int().nonnegative().optional(),
  /** `push`: how many browser connections of this process received the state. */
  sockets: z.number().int().nonnegative().optional(),
  /** Present when tracing is on: the trace this hop belongs to. */
  traceId: z.string().optional(),
});
export type JourneyHop = z.infer<typeof JourneyHop>;

/** `admin.journeyStarts`: first `{ orderId: null, newest }` (listening from here), then `{ orderId }` per order that starts. */
export const JourneyStart = z.object({ orderId: z.string().nullable(), newest: z.string().nullable().optional() });
export type JourneyStart = z.infer<typeof JourneyStart>;
export const JourneyStartsInput = z.object({ after: z.string().max(100).nullable().optional() }).optional();

export const Journey = z.object({ orderId: z.string(), hops: z.array(JourneyHop) });
export type Journey = z.infer<typeof Journey>;
