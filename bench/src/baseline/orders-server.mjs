// The orders baseline: a bare node:http server with better-sqlite3 doing the same durable work per
// order as the order service: read each item, take its stock guarded, insert the order document and
// one outbox row, in one IMMEDIATE transaction per order, WAL with synchronous=FULL (the order
// store's setting). No framework, no validation library, no group commit: what one transaction per
// order costs on this machine. Plain JavaScript run by plain node.
//
// BASELINE_DB = path of a fresh database file; BASELINE_MENU = JSON array of menu items (the seed).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.env.BASELINE_DB);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
// The tables and indexes the order service writes when it places an order.
db.exec(`
CREATE TABLE menu_items (id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, category TEXT NOT NULL,
  price_cents INTEGER NOT NULL, stock INTEGER NOT NULL CHECK (stock >= 0));
CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX orders_created_at ON orders (created_at);
CREATE INDEX orders_in_progress ON orders (created_at) WHERE status <> 'delivered';
CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, stream TEXT NOT NULL, envelope TEXT NOT NULL,
  created_at TEXT NOT NULL, sent_at TEXT);
CREATE INDEX outbox_pending ON outbox (source, id) WHERE sent_at IS NULL;
`);
const seed = db.prepare('INSERT INTO menu_items VALUES (@id, @name, @description, @category, @priceCents, @stock)');
for (const item of JSON.parse(process.env.BASELINE_MENU ?? '[]')) seed.run(item);

const getItem = db.prepare('SELECT id, name, price_cents AS priceCents, stock FROM menu_items WHERE id = ?');
const takeStock = db.prepare('UPDATE menu_items SET stock = stock - ? WHERE id = ? AND stock >= ?');
const insertOrder = db.prepare('INSERT INTO orders (id, status, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?)');
const appendOutbox = db.prepare('INSERT INTO outbox (source, stream, envelope, created_at) VALUES (?, ?, ?, ?)');

class Refused extends Error {}

/** @typedef {{ customer: { name: string; phone: string; address: string }; items: { menuItemId: string; quantity: number }[]; simulate: boolean }} Command */
/** @typedef {{ id: string; name: string; priceCents: number; stock: number }} Item */

const place = db.transaction((/** @type {Command} */ command) => {
  const now = new Date().toISOString();
  const items = command.items.map(({ menuItemId, quantity }) => {
    const item = /** @type {Item | undefined} */ (getItem.get(menuItemId));
    if (!item) throw new Refused(`Unknown menu item "${menuItemId}"`);
    if (takeStock.run(quantity, menuItemId, quantity).changes !== 1) throw new Refused(`Not enough stock for ${item.name}`);
    return { menuItemId, name: item.name, quantity, unitPriceCents: item.priceCents };
  });
  const totalCents = items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  const { name, phone, address } = command.customer;
  const order = {
    id: randomUUID(),
    status: 'created',
    customer: { name: name.trim(), phone: phone.trim(), address: address.trim() },
    items,
    totalCents,
    simulate: command.simulate,
    createdAt: now,
    updatedAt: now,
    history: [{ status: 'created', at: now }],
    delivery: null,
  };
  insertOrder.run(order.id, order.status, now, now, JSON.stringify(order));
  const event = {
    eventId: randomUUID(),
    type: 'order.created',
    orderId: order.id,
    source: 'order-service',
    occurredAt: now,
    payload: { status: 'created', simulate: order.simulate, totalCents, items },
  };
  appendOutbox.run('order-service', 'orders', JSON.stringify(event), now);
  return order;
});

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
const send = (res, status, body) => {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length) });
  res.end(bytes);
};

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/api/v1/health') return send(res, 200, { status: 'ok', checks: {} });
  if (req.method !== 'POST' || req.url !== '/api/v1/orders') return send(res, 404, { code: 'NOT_FOUND', message: 'no route' });
  /** @type {Buffer[]} */
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      send(res, 201, place.immediate(JSON.parse(Buffer.concat(chunks).toString())));
    } catch (error) {
      send(res, error instanceof Refused ? 400 : 500, { code: 'REFUSED', message: String(error) });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    db.close();
    process.exit(0);
  });
});
