import type { CreateOrderCommand, Delivery, EventEnvelope, MenuItem, Order } from '@pizza/contracts';

/**
 * The storage port. Each method is one atomic unit of work: adapters (SQLite, MongoDB) run
 * it in one transaction, so stock, order, outbox and inbox never disagree.
 */
export interface Storage {
  /** Creates schema/indexes and seeds the menu once. Safe to call on every start. */
  init(): Promise<void>;
  /** Throws when the store does not answer (used by health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;

  listMenu(): Promise<MenuItem[]>;
  getMenuItem(id: string): Promise<MenuItem | null>;
  /** Sets an item's stock (an operator's restock); null when the item does not exist. */
  setStock(id: string, stock: number): Promise<MenuItem | null>;

  /**
   * Checks and takes stock for every line, writes the order and its outgoing events to the
   * outbox, and records the idempotency key — all or nothing. Throws a StorageError
   * (UNKNOWN_MENU_ITEM, INSUFFICIENT_STOCK, IDEMPOTENCY_CONFLICT) and changes nothing on failure.
   */
  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult>;
  getOrder(id: string): Promise<Order | null>;
  /** Orders placed with `simulate: true` that are not delivered yet, oldest first. */
  listSimulatedOrdersInProgress(limit: number): Promise<Order[]>;

  /**
   * Read-decide-write on one order, guarded by the consumer inbox: if `inbox` was already
   * processed, returns 'duplicate' without calling `decide`. Otherwise loads the order, calls
   * `decide` (pure, synchronous) and in one transaction stores the new order (if any), appends
   * the returned events to the outbox and records `inbox` as processed.
   */
  applyToOrder(orderId: string, inbox: InboxKey, decide: Decide<Order>): Promise<ApplyResult<Order>>;

  getDeliveryByOrder(orderId: string): Promise<Delivery | null>;
  /**
   * Same as applyToOrder for the delivery of an order; `decide` receives null when the order has
   * no delivery yet. At most one delivery exists per order (enforced by a unique index).
   */
  applyToDelivery(orderId: string, inbox: InboxKey, decide: Decide<Delivery | null, Delivery>): Promise<ApplyResult<Delivery>>;

  /** Outbox rows not yet published, oldest first, for one source service. */
  pendingOutbox(source: string, limit: number): Promise<OutboxRecord[]>;
  /** Marks rows published; called only after the bus accepted them. */
  markOutboxSent(ids: readonly string[]): Promise<void>;

  /**
   * Forgets inbox records processed before `before` and outbox rows sent before it (never unsent
   * rows), so the tables do not grow forever. Returns how many rows went.
   */
  pruneHandled(before: string): Promise<{ inbox: number; outbox: number }>;

  /** Forgets Idempotency-Keys recorded before `before`; returns how many went. */
  pruneIdempotencyKeys(before: string): Promise<number>;
}

/** How long an Idempotency-Key is remembered: after it, the same key places a new order. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

export interface PlaceOrderRequest {
  /** Validated input (defaults applied). */
  command: CreateOrderCommand;
  /** New order id and timestamp, chosen by the caller. */
  orderId: string;
  now: string;
  /** Builds the outbox events from the stored order (called inside the transaction). */
  events: (order: Order) => EventEnvelope[];
  /** `since`: a key recorded before this time has expired and is treated as never seen. */
  idempotency?: { key: string; fingerprint: string; since: string };
}

export type PlaceOrderResult =
  | { kind: 'created'; order: Order }
  /** Same Idempotency-Key and same body as an earlier request: the earlier order, nothing taken twice. */
  | { kind: 'replayed'; order: Order };

/** A processed-event record: `group` is the consumer group (or service) and `eventId` the envelope id. */
export interface InboxKey {
  group: string;
  eventId: string;
}

/** null = nothing to change (stale or duplicate event); the inbox is still recorded. */
export type Decide<In, Out = In> = (current: In) => { next: Out; events: EventEnvelope[] } | null;

export type ApplyResult<T> =
  | { kind: 'applied'; value: T; events: EventEnvelope[] }
  | { kind: 'ignored' }
  | { kind: 'duplicate' }
  | { kind: 'not_found' };

export interface OutboxRecord {
  /** Adapter-specific id, monotonically increasing within a source. */
  id: string;
  stream: string;
  envelope: EventEnvelope;
}

export type StorageErrorCode = 'UNKNOWN_MENU_ITEM' | 'INSUFFICIENT_STOCK' | 'IDEMPOTENCY_CONFLICT';

/** A domain failure of a storage operation; mapped once to HTTP/tRPC codes by the API. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: { menuItemId?: string; available?: number; orderId?: string } = {},
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/**
 * The store cannot do the work now: unreachable, locked, read-only, or a transaction that still
 * could not commit after its retries. Nothing was changed; the caller may try again later (the
 * API answers 503 with Retry-After). `cause` keeps the driver's error for the log.
 */
export class StorageUnavailableError extends Error {
  constructor(store: string, cause: unknown) {
    super(`${store} is unavailable`, { cause });
    this.name = 'StorageUnavailableError';
  }
}
