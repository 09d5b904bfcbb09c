import { setTimeout as sleep } from 'node:timers/promises';
import {
  MongoClient,
  MongoError,
  MongoServerError,
  type ClientSession,
  type Collection,
  type Db,
  type TransactionOptions,
} from 'mongodb';
import {
  EVENT_STREAM,
  MENU_SEED,
  SERVICES,
  type Delivery,
  type EventEnvelope,
  type MenuItem,
  type Order,
} from '@pizza/contracts';
import { insufficientStock, newOrder, replayOf, unknownMenuItem, type TakenLine } from './new-order';
import {
  StorageError,
  StorageUnavailableError,
  type ApplyResult,
  type Decide,
  type InboxKey,
  type OutboxRecord,
  type PlaceOrderRequest,
  type PlaceOrderResult,
  type Storage,
} from './storage-port';

/** Documents carry our ids as `_id`; `position` keeps the menu in seed order. */
type MenuItemDoc = Omit<MenuItem, 'id'> & { _id: string; position: number };
type OrderDoc = Omit<Order, 'id'> & { _id: string };
type DeliveryDoc = Omit<Delivery, 'id'> & { _id: string };
/** `_id` is the key itself: the built-in unique _id index makes a second use of a key a duplicate-key error. */
interface IdempotencyKeyDoc {
  _id: string;
  fingerprint: string;
  orderId: string;
  createdAt: string;
}
interface InboxDoc {
  group: string;
  eventId: string;
  processedAt: string;
}
interface OutboxDoc {
  /** `<source>:<zero-padded seq>`, so ids also sort in publishing order within a source. */
  _id: string;
  source: string;
  seq: number;
  stream: string;
  envelope: EventEnvelope;
  createdAt: string;
  sentAt: string | null;
}
interface CounterDoc {
  _id: string;
  seq: number;
}

const TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/**
 * Errors that mean a racing transaction got there first. E11000: it committed the same idempotency key, inbox
 * entry or delivery. WriteConflict: jongodb reports that race at commit without the TransientTransactionError
 * label that makes withTransaction retry (real MongoDB labels it and retries inside withTransaction).
 */
const LOST_RACE = new Set([11000, 112]);
const TRANSIENT_LABELS = ['TransientTransactionError', 'UnknownTransactionCommitResult', 'RetryableWriteError'];
/**
 * Bounds one unit of work, the driver's own transient-error retries included (without it
 * withTransaction keeps retrying for 120 s): past it, the caller hears "unavailable".
 */
const WORK_TIMEOUT_MS = 10_000;

const outboxCounter = (source: string) => `outbox:${source}`;

const toMenuItem = ({ _id, name, description, category, priceCents, stock }: MenuItemDoc): MenuItem => ({
  id: _id,
  name,
  description,
  category,
  priceCents,
  stock,
});
const toOrder = ({ _id, ...order }: OrderDoc): Order => ({ id: _id, ...order });
const toOrderDoc = ({ id, ...order }: Order): OrderDoc => ({ _id: id, ...order });
const toDelivery = ({ _id, ...delivery }: DeliveryDoc): Delivery => ({ id: _id, ...delivery });
const toDeliveryDoc = ({ id, ...delivery }: Delivery): DeliveryDoc => ({ _id: id, ...delivery });

class MongoStorage implements Storage {
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly menu: Collection<MenuItemDoc>;
  private readonly orders: Collection<OrderDoc>;
  private readonly deliveries: Collection<DeliveryDoc>;
  private readonly idempotencyKeys: Collection<IdempotencyKeyDoc>;
  private readonly inbox: Collection<InboxDoc>;
  private readonly outbox: Collection<OutboxDoc>;
  private readonly counters: Collection<CounterDoc>;

  constructor(url: string) {
    // ignoreUndefined: an absent optional field must stay absent, not come back as null.
    // serverSelectionTimeoutMS: an unreachable store is reported within seconds, not after 30 s.
    // serverMonitoringMode 'poll': the streaming (exhaust) hello of the default mode ends early on the
    // jongodb test server; the driver then marks the server unknown and clears the pool, failing every
    // operation in flight (and resetting their connections). Polling works the same on every server.
    this.client = new MongoClient(url, {
      ignoreUndefined: true,
      serverSelectionTimeoutMS: WORK_TIMEOUT_MS,
      serverMonitoringMode: 'poll',
    });
    this.db = this.client.db();
    this.menu = this.db.collection('menu_items');
    this.orders = this.db.collection('orders');
    this.deliveries = this.db.collection('deliveries');
    this.idempotencyKeys = this.db.collection('idempotency_keys');
    this.inbox = this.db.collection('inbox');
    this.outbox = this.db.collection('outbox');
    this.counters = this.db.collection('counters');
  }

  async init(): Promise<void> {
    await this.client.connect();
    // Every collection is created here, outside transactions, where racing first writes would conflict
    // (createIndex is the creation jongodb understands: it has no `create` command).
    await this.menu.createIndex({ position: 1 });
    await this.orders.createIndex({ createdAt: 1 });
    await this.orders.createIndex({ status: 1, createdAt: 1 });
    await this.idempotencyKeys.createIndex({ orderId: 1 });
    await this.idempotencyKeys.createIndex({ createdAt: 1 });
    await this.deliveries.createIndex({ orderId: 1 }, { unique: true });
    await this.inbox.createIndex({ group: 1, eventId: 1 }, { unique: true });
    await this.outbox.createIndex({ source: 1, sentAt: 1, seq: 1 });
    await this.outbox.createIndex({ sentAt: 1 });
    await this.inbox.createIndex({ processedAt: 1 });
    await this.counters.bulkWrite(
      Object.values(SERVICES).map((source) => ({
        updateOne: {
          filter: { _id: outboxCounter(source) },
          update: { $setOnInsert: { seq: 0 } },
          upsert: true,
        },
      })),
    );
    // $setOnInsert: a restart adds missing items but never resets stock that orders have taken.
    await this.menu.bulkWrite(
      MENU_SEED.map(({ id, ...item }, position) => ({
        updateOne: { filter: { _id: id }, update: { $setOnInsert: { ...item, position } }, upsert: true },
      })),
    );
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async listMenu(): Promise<MenuItem[]> {
    const docs = await this.menu.find().sort({ position: 1 }).toArray();
    return docs.map(toMenuItem);
  }

  async getMenuItem(id: string): Promise<MenuItem | null> {
    const doc = await this.menu.findOne({ _id: id });
    return doc ? toMenuItem(doc) : null;
  }

  async setStock(id: string, stock: number): Promise<MenuItem | null> {
    const doc = await this.menu.findOneAndUpdate({ _id: id }, { $set: { stock } }, { returnDocument: 'after' });
    return doc ? toMenuItem(doc) : null;
  }

  /**
   * One transaction per order, unlike SQLite's group commit: MongoDB transactions have no savepoints, so a
   * shared one would abort every order with the first that fails, and concurrent transactions already share
   * journal flushes (WiredTiger groups the commits of concurrent writers into one journal write).
   */
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResult> {
    let attempt = 0;
    return this.transaction(async (session): Promise<PlaceOrderResult> => {
      // A rerun after an unknown commit result (e.g. the connection reset while committing): the
      // order id is this request's own, so finding it means the earlier attempt did commit.
      // (With a key, the key's record tells: it names this request's order id.)
      const { idempotency } = request;
      if (attempt++ > 0 && !idempotency) {
        const committed = await this.findOrder(request.orderId, session);
        if (committed) return { kind: 'created', order: committed };
      }
      if (idempotency) {
        const stored = await this.idempotencyKeys.findOne({ _id: idempotency.key }, { session });
        if (stored?.orderId === request.orderId) {
          const committed = await this.findOrder(request.orderId, session);
          if (committed) return { kind: 'created', order: committed };
        }
        if (stored && stored.createdAt >= idempotency.since)
          return replayOf(idempotency, stored, await this.findOrder(stored.orderId, session));
        // expired: this request starts afresh
        if (stored) await this.idempotencyKeys.deleteOne({ _id: idempotency.key }, { session });
      }
      const lines: TakenLine[] = [];
      for (const { menuItemId, quantity } of request.command.items) {
        // The guarded $inc is the stock check: it matches only while enough is left (returns the item as it was).
        const before = await this.menu.findOneAndUpdate(
          { _id: menuItemId, stock: { $gte: quantity } },
          { $inc: { stock: -quantity } },
          { session },
        );
        if (!before) {
          const item = await this.menu.findOne({ _id: menuItemId }, { session });
          throw item ? insufficientStock(toMenuItem(item), quantity) : unknownMenuItem(menuItemId);
        }
        lines.push({ item: toMenuItem(before), quantity });
      }
      const order = newOrder(request, lines);
      await this.orders.insertOne(toOrderDoc(order), { session });
      if (idempotency) {
        await this.idempotencyKeys.insertOne(
          {
            _id: idempotency.key,
            fingerprint: idempotency.fingerprint,
            orderId: order.id,
            createdAt: request.now,
          },
          { session },
        );
      }
      await this.appendOutbox(request.events(order), request.now, session);
      return { kind: 'created', order };
    });
  }

  async getOrder(id: string): Promise<Order | null> {
    return this.findOrder(id);
  }

  async applyToOrder(orderId: string, inbox: InboxKey, decide: Decide<Order>): Promise<ApplyResult<Order>> {
    return this.transaction(async (session): Promise<ApplyResult<Order>> => {
      if (await this.processed(inbox, session)) return { kind: 'duplicate' };
      const current = await this.findOrder(orderId, session);
      if (!current) return { kind: 'not_found' };
      return this.decideAndSave(inbox, current, decide, session, async (next) => {
        await this.orders.replaceOne({ _id: orderId }, toOrderDoc(next), { session });
      });
    });
  }

  async listSimulatedOrdersInProgress(limit: number): Promise<Order[]> {
    const docs = await this.orders
      .find({ status: { $ne: 'delivered' }, simulate: true })
      .sort({ createdAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toOrder);
  }

  async pruneHandled(before: string): Promise<{ inbox: number; outbox: number }> {
    const inbox = await this.inbox.deleteMany({ processedAt: { $lt: before } });
    const outbox = await this.outbox.deleteMany({ sentAt: { $ne: null, $lt: before } });
    return { inbox: inbox.deletedCount, outbox: outbox.deletedCount };
  }

  async pruneIdempotencyKeys(before: string): Promise<number> {
    return (await this.idempotencyKeys.deleteMany({ createdAt: { $lt: before } })).deletedCount;
  }

  async getDeliveryByOrder(orderId: string): Promise<Delivery | null> {
    return this.findDelivery(orderId);
  }

  async applyToDelivery(
    orderId: string,
    inbox: InboxKey,
    decide: Decide<Delivery | null, Delivery>,
  ): Promise<ApplyResult<Delivery>> {
    return this.transaction(async (session): Promise<ApplyResult<Delivery>> => {
      if (await this.processed(inbox, session)) return { kind: 'duplicate' };
      const current = await this.findDelivery(orderId, session);
      return this.decideAndSave(inbox, current, decide, session, async (next) => {
        // The unique orderId index turns a racing second insert into E11000; the rerun then sees the first delivery.
        if (current) await this.deliveries.replaceOne({ orderId }, toDeliveryDoc(next), { session });
        else await this.deliveries.insertOne(toDeliveryDoc(next), { session });
      });
    });
  }

  async pendingOutbox(source: string, limit: number): Promise<OutboxRecord[]> {
    if (limit <= 0) return []; // limit(0) means "no limit" to MongoDB
    const docs = await this.outbox.find({ source, sentAt: null }).sort({ seq: 1 }).limit(limit).toArray();
    return docs.map(({ _id, stream, envelope }) => ({ id: _id, stream, envelope }));
  }

  async markOutboxSent(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const sentAt = new Date().toISOString();
    await this.transaction(async (session) => {
      await this.outbox.updateMany(
        { _id: { $in: [...ids] }, sentAt: null },
        { $set: { sentAt } },
        { session },
      );
    });
  }

  /**
   * Runs `work` in one transaction (withTransaction retries it on transient errors). After a lost race, running
   * it again lets it see the winner's record and answer 'replayed' / IDEMPOTENCY_CONFLICT / 'duplicate'. Races
   * still lost after WORK_TIMEOUT_MS, and any other driver or socket error, are StorageUnavailableError.
   */
  private async transaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    const deadline = Date.now() + WORK_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withTransaction(work);
      } catch (error) {
        // the driver's errors, and the socket errors it lets through (EPIPE: "socket ended by the other party")
        const fromStore = error instanceof MongoError || typeof (error as NodeJS.ErrnoException).code === 'string';
        if (error instanceof StorageError || !fromStore) throw error;
        if (!(error instanceof MongoError)) throw new StorageUnavailableError('MongoDB', error);
        const lostRace = error instanceof MongoServerError && LOST_RACE.has(Number(error.code));
        // e.g. a cleared pool or a reset connection outside the driver's own retries: worth another run
        const transient = TRANSIENT_LABELS.some((label) => error.hasErrorLabel(label));
        // racers spread out instead of colliding again (the driver's own policy: jittered, growing, capped)
        const backoff = Math.random() * Math.min(5 * 1.5 ** attempt, 500);
        if (!(lostRace || transient) || Date.now() + backoff > deadline) throw new StorageUnavailableError('MongoDB', error);
        await sleep(backoff);
      }
    }
  }

  private async withTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = this.client.startSession({ defaultTimeoutMS: WORK_TIMEOUT_MS });
    try {
      return await session.withTransaction(() => work(session), TRANSACTION);
    } finally {
      await session.endSession();
    }
  }

  private async findOrder(id: string, session?: ClientSession): Promise<Order | null> {
    const doc = await this.orders.findOne({ _id: id }, { session });
    return doc ? toOrder(doc) : null;
  }

  private async findDelivery(orderId: string, session?: ClientSession): Promise<Delivery | null> {
    const doc = await this.deliveries.findOne({ orderId }, { session });
    return doc ? toDelivery(doc) : null;
  }

  private async processed(inbox: InboxKey, session: ClientSession): Promise<boolean> {
    const found = await this.inbox.findOne(
      { group: inbox.group, eventId: inbox.eventId },
      { session, projection: { _id: 1 } },
    );
    return found !== null;
  }

  /** The shared tail of applyToOrder/applyToDelivery; runs inside their transaction. */
  private async decideAndSave<In, Out>(
    inbox: InboxKey,
    current: In,
    decide: Decide<In, Out>,
    session: ClientSession,
    save: (next: Out) => Promise<void>,
  ): Promise<ApplyResult<Out>> {
    const decision = decide(current);
    const now = new Date().toISOString();
    if (decision) {
      await save(decision.next);
      await this.appendOutbox(decision.events, now, session);
    }
    await this.inbox.insertOne({ group: inbox.group, eventId: inbox.eventId, processedAt: now }, { session });
    return decision
      ? { kind: 'applied', value: decision.next, events: decision.events }
      : { kind: 'ignored' };
  }

  /** Numbers the events per source from a counter bumped in the same transaction, so ids follow commit order. */
  private async appendOutbox(
    events: readonly EventEnvelope[],
    now: string,
    session: ClientSession,
  ): Promise<void> {
    const bySource = new Map<string, EventEnvelope[]>();
    for (const envelope of events)
      bySource.set(envelope.source, [...(bySource.get(envelope.source) ?? []), envelope]);
    const docs: OutboxDoc[] = [];
    for (const [source, envelopes] of bySource) {
      const counter = await this.counters.findOneAndUpdate(
        { _id: outboxCounter(source) },
        { $inc: { seq: envelopes.length } },
        { upsert: true, returnDocument: 'after', session },
      );
      const first = (counter?.seq ?? envelopes.length) - envelopes.length + 1;
      envelopes.forEach((envelope, index) => {
        const seq = first + index;
        docs.push({
          _id: `${source}:${String(seq).padStart(12, '0')}`,
          source,
          seq,
          stream: EVENT_STREAM[envelope.type],
          envelope,
          createdAt: now,
          sentAt: null,
        });
      });
    }
    if (docs.length > 0) await this.outbox.insertMany(docs, { session });
  }
}

/** A MongoDB store; `url` names the database (e.g. mongodb://mongo:27017/pizza?replicaSet=rs0). */
export function createMongoStorage(url: string): Storage {
  return new MongoStorage(url);
}
