import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  EVENT_STREAM,
  MENU_SEED,
  type Delivery,
  type EventEnvelope,
  type MenuItem,
  type Order,
} from '@pizza/contracts';
import { turnBatch, type TurnBatch } from '../batching/turn-batch';
import { insufficientStock, newOrder, replayOf, unknownMenuItem, type TakenLine } from './new-order';
import {
  StorageUnavailableError,
  type ApplyResult,
  type Decide,
  type InboxKey,
  type OutboxRecord,
  type PlaceOrderRequest,
  type PlaceOrderResult,
  type Storage,
} from './storage-port';

/**
 * SQLite result codes that say the file cannot take the work now (locked past busy_timeout,
 * read-only, disk full or failing, gone) rather than that the statement is wrong.
 */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|READONLY|IOERR|FULL|CANTOPEN|PROTOCOL|NOTADB|CORRUPT)/;

/** Another connection holds the lock this statement needs (with busy_timeout 0: at once). */
const isBusy = (error: unknown) => error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');

/** A SQLite error that says the store cannot take the work now, as the port's StorageUnavailableError. */
function asUnavailable(error: unknown): unknown {
  return error instanceof Database.SqliteError && UNAVAILABLE.test(error.code) ? new StorageUnavailableError('SQLite', error) : error;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS menu_items (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL,
  category    TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  stock       INTEGER NOT NULL CHECK (stock >= 0)
);

-- The order document as JSON; status and times are columns so they can be queried and indexed.
CREATE TABLE IF NOT EXISTS orders (
  id         TEXT PRIMARY KEY,
  status     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at);
CREATE INDEX IF NOT EXISTS orders_in_progress ON orders (created_at) WHERE status <> 'delivered';

-- No foreign key to orders: the delivery service may keep its records in a store of its own.
CREATE TABLE IF NOT EXISTS deliveries (
  id         TEXT PRIMARY KEY,
  order_id   TEXT NOT NULL UNIQUE,
  status     TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  source     TEXT NOT NULL,
  stream     TEXT NOT NULL,
  envelope   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at    TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (source, id) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS inbox (
  group_name   TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  processed_at TEXT NOT NULL,
  PRIMARY KEY (group_name, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inbox_processed_at ON inbox (processed_at);

CREATE TABLE IF NOT EXISTS idempotency_keys (
  key         TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  order_id    TEXT NOT NULL REFERENCES orders (id),
  created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);
`;

const MENU_COLUMNS = 'id, name, description, category, price_cents AS priceCents, stock';

function prepareStatements(db: Database.Database) {
  return {
    // ON CONFLICT DO NOTHING: a restart must never reset stock that orders have taken.
    seedMenuItem: db.prepare<MenuItem>(
      `INSERT INTO menu_items (id, name, description, category, price_cents, stock)
       VALUES (@id, @name, @description, @category, @priceCents, @stock)
       ON CONFLICT (id) DO NOTHING`,
    ),
    // rowid order is seed order, which is how the menu is meant to read.
    listMenu: db.prepare<[], MenuItem>(`SELECT ${MENU_COLUMNS} FROM menu_items ORDER BY rowid`),
    getMenuItem: db.prepare<[string], MenuItem>(`SELECT ${MENU_COLUMNS} FROM menu_items WHERE id = ?`),
    setStock: db.prepare<{ id: string; stock: number }>('UPDATE menu_items SET stock = @stock WHERE id = @id'),
    takeStock: db.prepare<{ id: string; quantity: number }>(
      'UPDATE menu_items SET stock = stock - @quantity WHERE id = @id AND stock >= @quantity',
    ),

    getOrder: db.prepare<[string], { data: string }>('SELECT data FROM orders WHERE id = ?'),
    listSimulatedInProgress: db.prepare<[number], { data: string }>(
      `SELECT data FROM orders WHERE status <> 'delivered' AND json_extract(data, '$.simulate') = 1
       ORDER BY created_at LIMIT ?`,
    ),
    insertOrder: db.prepare<{
      id: string;
      status: string;
      createdAt: string;
      updatedAt: string;
      data: string;
    }>(
      `INSERT INTO orders (id, status, created_at, updated_at, data)
       VALUES (@id, @status, @createdAt, @updatedAt, @data)`,
    ),
    updateOrder: db.prepare<{ id: string; status: string; updatedAt: string; data: string }>(
      'UPDATE orders SET status = @status, updated_at = @updatedAt, data = @data WHERE id = @id',
    ),

    getIdempotencyKey: db.prepare<[string], { fingerprint: string; orderId: string; createdAt: string }>(
      'SELECT fingerprint, order_id AS orderId, created_at AS createdAt FROM idempotency_keys WHERE key = ?',
    ),
    deleteIdempotencyKey: db.prepare<[string]>('DELETE FROM idempotency_keys WHERE key = ?'),
    pruneIdempotencyKeys: db.prepare<[string]>('DELETE FROM idempotency_keys WHERE created_at < ?'),
    insertIdempotencyKey: db.prepare<{
      key: string;
      fingerprint: string;
      orderId: string;
      createdAt: string;
    }>(
      `INSERT INTO idempotency_keys (key, fingerprint, order_id, created_at)
       VALUES (@key, @fingerprint, @orderId, @createdAt)`,
    ),

    getDeliveryByOrder: db.prepare<[string], { data: string }>(
      'SELECT data FROM deliveries WHERE order_id = ?',
    ),
    insertDelivery: db.prepare<{
      id: string;
      orderId: string;
      status: string;
      updatedAt: string;
      data: string;
    }>(
      `INSERT INTO deliveries (id, order_id, status, updated_at, data)
       VALUES (@id, @orderId, @status, @updatedAt, @data)`,
    ),
    updateDelivery: db.prepare<{ orderId: string; status: string; updatedAt: string; data: string }>(
      'UPDATE deliveries SET status = @status, updated_at = @updatedAt, data = @data WHERE order_id = @orderId',
    ),

    appendOutbox: db.prepare<{ source: string; stream: string; envelope: string; createdAt: string }>(
      `INSERT INTO outbox (source, stream, envelope, created_at) VALUES (@source, @stream, @envelope, @createdAt)`,
    ),
    pendingOutbox: db.prepare<[string, number], { id: number; stream: string; envelope: string }>(
      'SELECT id, stream, envelope FROM outbox WHERE source = ? AND sent_at IS NULL ORDER BY id LIMIT ?',
    ),
    markOutboxSent: db.prepare<{ ids: string; sentAt: string }>(
      `UPDATE outbox SET sent_at = @sentAt
       WHERE sent_at IS NULL AND id IN (SELECT CAST(value AS INTEGER) FROM json_each(@ids))`,
    ),

    pruneInbox: db.prepare<[string]>('DELETE FROM inbox WHERE processed_at < ?'),
    pruneOutbox: db.prepare<[string]>('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?'),

    inboxHas: db.prepare<[string, string], { found: number }>(
      'SELECT 1 AS found FROM inbox WHERE group_name = ? AND event_id = ?',
    ),
    recordInbox: db.prepare<[string, string, string]>(
      'INSERT INTO inbox (group_name, event_id, processed_at) VALUES (?, ?, ?)',
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** A unit of work waiting for the group commit of its turn. */
interface PendingWrite {
  work: () => unknown;
  /** performance.now() when it was made: each write waits for a lock held elsewhere up to the busy timeout. */
  madeAt: number;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** How long a write waits, by default, for another process to let go of the file's write lock before it fails as unavailable. */
const BUSY_TIMEOUT_MS = 5_000;
/** Between two tries of a grouped write at the lock another process holds (a commit there takes well under a millisecond). */
const LOCK_RETRY_MS = 1;

class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  /** BEGIN IMMEDIATE takes the write lock up front, so writers in other processes queue on busy_timeout instead of failing to upgrade. */
  private readonly transaction: Database.Transaction<(work: () => unknown) => unknown>;
  private readonly pingStatement: Database.Statement;
  /** Prepared once the schema exists (init). */
  private statements: Statements | undefined;
  /** Group commit: the orders and events handled in one turn of the event loop share one write transaction. */
  private readonly pendingWrites: TurnBatch<PendingWrite> = turnBatch((batch) => this.commitBatch(batch));
  /**
   * Grouped writes waiting for the write lock another process holds, with when they started to wait.
   * They are tried again on a timer, without blocking the event loop, and writes of later turns join them.
   */
  private locked: { writes: PendingWrite[]; timer: NodeJS.Timeout; done: Promise<void>; settle: () => void } | null = null;
  private readonly busyTimeoutOff: Database.Statement;
  private readonly busyTimeoutOn: Database.Statement;

  private readonly busyTimeoutMs: number;

  constructor(path: string, options: SqliteStorageOptions = {}) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    this.db.pragma('journal_mode = WAL');
    // Set explicitly: in WAL mode better-sqlite3's build defaults to NORMAL, where an OS crash or power
    // loss may lose the last commits. FULL syncs the WAL on every commit, so an answered order survives.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.transaction = this.db.transaction((work: () => unknown) => work());
    this.pingStatement = this.db.prepare('SELECT 1');
    this.busyTimeoutOff = this.db.prepare('PRAGMA busy_timeout = 0');
    this.busyTimeoutOn = this.db.prepare(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`);
  }

  private write<T>(work: () => T): T {
    try {
      return this.transaction.immediate(work) as T;
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  /** `work` in its own savepoint of the turn's shared transaction; resolves once that transaction committed. */
  private grouped<T>(work: () => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.pendingWrites.add({ work, madeAt: performance.now(), resolve: resolve as (result: unknown) => void, reject }),
    );
  }

  private get sql(): Statements {
    if (!this.statements) throw new Error('SQLite storage: call init() before using it');
    return this.statements;
  }

  async init(): Promise<void> {
    this.write(() => {
      this.db.exec(SCHEMA);
      this.statements ??= prepareStatements(this.db);
      for (const item of MENU_SEED) this.statements.seedMenuItem.run(item);
    });
  }

  async ping(): Promise<void> {
    this.pingStatement.get();
  }

  async close(): Promise<void> {
    await this.pendingWrites.drained();
    await this.locked?.done;
    if (this.db.open) this.db.close();
  }

  async listMenu(): Promise<MenuItem[]> {
    return this.sql.listMenu.all();
  }

  async getMenuItem(id: string): Promise<MenuItem | null> {
    return this.sql.getMenuItem.get(id) ?? null;
  }

  async setStock(id: string, stock: number): Promise<MenuItem | null> {
    return this.write(() => (this.sql.setStock.run({ id, stock }).changes === 1 ? this.sql.getMenuItem.get(id)! : null));
  }

  placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    return this.grouped(() => this.placeOne(request));
  }

  /**
   * One IMMEDIATE transaction for the batch, one savepoint per unit of work: one that fails (unknown item,
   * not enough stock) rolls back to its savepoint and changes nothing, the others stay. Every caller is
   * answered only after the COMMIT, so nothing is reported done before it is durable.
   *
   * When another process holds the file's write lock (services sharing one file), the batch does not
   * block the event loop on SQLite's busy handler, which sleeps 1, 2, 5, 10… ms between tries: it is
   * tried again every millisecond from a timer, the writes of later turns join it (still committed in
   * the order they were made), and a write that has waited the busy timeout fails as unavailable, as a
   * blocked write did.
   */
  private commitBatch(batch: readonly PendingWrite[]): void {
    const waiting = this.locked;
    if (waiting) {
      clearTimeout(waiting.timer);
      this.locked = null;
    }
    const writes = waiting ? [...waiting.writes, ...batch] : batch;
    // Runs from a timer or setImmediate: it settles every write and never throws (a throw here would end the process).
    try {
      if (writes.length > 0) this.tryBatch(writes, waiting);
      else waiting?.settle();
    } catch (error) {
      if (this.locked) clearTimeout(this.locked.timer);
      this.locked = null;
      for (const pending of writes) pending.reject(asUnavailable(error));
      waiting?.settle();
    }
  }

  private tryBatch(writes: readonly PendingWrite[], waiting: typeof this.locked): void {
    if (!this.db.open) throw new StorageUnavailableError('SQLite', new Error('the database connection is closed'));
    const outcomes: ({ ok: true; result: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.busyTimeoutOff.run();
      this.transaction.immediate(() => {
        this.busyTimeoutOn.run();
        for (const { work } of writes) {
          try {
            // A transaction function called inside a transaction runs as a SAVEPOINT.
            outcomes.push({ ok: true, result: this.transaction(work) });
          } catch (error) {
            // SQLite rolled back the whole transaction itself (e.g. disk full): nothing of the batch stays.
            if (!this.db.inTransaction) throw error;
            outcomes.push({ ok: false, error: asUnavailable(error) });
          }
        }
      });
    } catch (error) {
      if (outcomes.length === 0) this.busyTimeoutOn.run(); // BEGIN IMMEDIATE itself failed: nothing ran
      if (outcomes.length > 0 || !isBusy(error)) throw error;
      // The lock is held elsewhere: writes past their own busy timeout fail (the oldest, at the front);
      // the others wait for the next try, in the order they were made.
      const now = performance.now();
      const found = writes.findIndex((w) => now - w.madeAt < this.busyTimeoutMs);
      const firstWaiting = found === -1 ? writes.length : found;
      for (const pending of writes.slice(0, firstWaiting)) pending.reject(asUnavailable(error));
      const stillWaiting = writes.slice(firstWaiting);
      if (stillWaiting.length === 0) return waiting?.settle();
      let settle = waiting?.settle;
      const done = waiting?.done ?? new Promise<void>((resolve) => (settle = resolve));
      this.locked = { writes: stillWaiting, done, settle: settle!, timer: setTimeout(() => this.commitBatch([]), LOCK_RETRY_MS) };
      return;
    }
    waiting?.settle();
    writes.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
  }

  /** One order, inside its savepoint: throws a StorageError to roll it back. */
  private placeOne(request: PlaceOrderRequest): PlaceOrderResult {
    const sql = this.sql;
    const { idempotency } = request;
    if (idempotency) {
      const stored = sql.getIdempotencyKey.get(idempotency.key);
      if (stored && stored.createdAt >= idempotency.since) return replayOf(idempotency, stored, this.readOrder(stored.orderId));
      if (stored) sql.deleteIdempotencyKey.run(idempotency.key); // expired: this request starts afresh
    }
    const lines = request.command.items.map((line): TakenLine => {
      const item = sql.getMenuItem.get(line.menuItemId);
      if (!item) throw unknownMenuItem(line.menuItemId);
      const taken = sql.takeStock.run({ id: item.id, quantity: line.quantity }).changes === 1;
      if (!taken) throw insufficientStock(item, line.quantity);
      return { item, quantity: line.quantity };
    });
    const order = newOrder(request, lines);
    sql.insertOrder.run({
      id: order.id,
      status: order.status,
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
      data: JSON.stringify(order),
    });
    if (idempotency)
      sql.insertIdempotencyKey.run({ key: idempotency.key, fingerprint: idempotency.fingerprint, orderId: order.id, createdAt: request.now });
    this.appendOutbox(request.events(order), request.now);
    return { kind: 'created', order };
  }

  async getOrder(id: string): Promise<Order | null> {
    return this.readOrder(id);
  }

  async listSimulatedOrdersInProgress(limit: number): Promise<Order[]> {
    return this.sql.listSimulatedInProgress.all(limit).map((row) => JSON.parse(row.data) as Order);
  }

  async applyToOrder(orderId: string, inbox: InboxKey, decide: Decide<Order>): Promise<ApplyResult<Order>> {
    const sql = this.sql;
    return this.grouped((): ApplyResult<Order> => {
      if (this.processed(inbox)) return { kind: 'duplicate' };
      const current = this.readOrder(orderId);
      if (!current) return { kind: 'not_found' };
      return this.decideAndSave(inbox, current, decide, (next) =>
        sql.updateOrder.run({
          id: orderId,
          status: next.status,
          updatedAt: next.updatedAt,
          data: JSON.stringify(next),
        }),
      );
    });
  }

  async getDeliveryByOrder(orderId: string): Promise<Delivery | null> {
    return this.readDelivery(orderId);
  }

  async applyToDelivery(
    orderId: string,
    inbox: InboxKey,
    decide: Decide<Delivery | null, Delivery>,
  ): Promise<ApplyResult<Delivery>> {
    const sql = this.sql;
    return this.grouped((): ApplyResult<Delivery> => {
      if (this.processed(inbox)) return { kind: 'duplicate' };
      const current = this.readDelivery(orderId);
      return this.decideAndSave(inbox, current, decide, (next) => {
        const row = { orderId, status: next.status, updatedAt: next.updatedAt, data: JSON.stringify(next) };
        // The UNIQUE(order_id) index turns a second insert for the order into an error, never a second delivery.
        if (current) sql.updateDelivery.run(row);
        else sql.insertDelivery.run({ ...row, id: next.id });
      });
    });
  }

  async pendingOutbox(source: string, limit: number): Promise<OutboxRecord[]> {
    return this.sql.pendingOutbox.all(source, limit).map((row) => ({
      id: String(row.id),
      stream: row.stream,
      envelope: JSON.parse(row.envelope) as EventEnvelope,
    }));
  }

  async markOutboxSent(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const sql = this.sql;
    await this.grouped(() =>
      sql.markOutboxSent.run({ ids: JSON.stringify(ids.map(Number)), sentAt: new Date().toISOString() }),
    );
  }

  async pruneHandled(before: string): Promise<{ inbox: number; outbox: number }> {
    const sql = this.sql;
    return this.write(() => ({ inbox: sql.pruneInbox.run(before).changes, outbox: sql.pruneOutbox.run(before).changes }));
  }

  async pruneIdempotencyKeys(before: string): Promise<number> {
    const sql = this.sql;
    return this.write(() => sql.pruneIdempotencyKeys.run(before).changes);
  }

  private readOrder(id: string): Order | null {
    const row = this.sql.getOrder.get(id);
    return row ? (JSON.parse(row.data) as Order) : null;
  }

  private readDelivery(orderId: string): Delivery | null {
    const row = this.sql.getDeliveryByOrder.get(orderId);
    return row ? (JSON.parse(row.data) as Delivery) : null;
  }

  private processed(inbox: InboxKey): boolean {
    return this.sql.inboxHas.get(inbox.group, inbox.eventId) !== undefined;
  }

  /** The shared tail of applyToOrder/applyToDelivery; runs inside their transaction. */
  private decideAndSave<In, Out>(
    inbox: InboxKey,
    current: In,
    decide: Decide<In, Out>,
    save: (next: Out) => void,
  ): ApplyResult<Out> {
    const decision = decide(current);
    const now = new Date().toISOString();
    if (decision) {
      save(decision.next);
      this.appendOutbox(decision.events, now);
    }
    this.sql.recordInbox.run(inbox.group, inbox.eventId, now);
    return decision
      ? { kind: 'applied', value: decision.next, events: decision.events }
      : { kind: 'ignored' };
  }

  private appendOutbox(events: readonly EventEnvelope[], now: string): void {
    for (const envelope of events) {
      this.sql.appendOutbox.run({
        source: envelope.source,
        stream: EVENT_STREAM[envelope.type],
        envelope: JSON.stringify(envelope),
        createdAt: now,
      });
    }
  }
}

/** A SQLite store in one file (or ':memory:'); the file's directory is created if missing. */
export interface SqliteStorageOptions {
  /** How long a write waits for another connection's write lock before it fails as unavailable (default 5000 ms). */
  busyTimeoutMs?: number;
}

export function createSqliteStorage(path: string, options?: SqliteStorageOptions): Storage {
  return new SqliteStorage(path, options);
}
