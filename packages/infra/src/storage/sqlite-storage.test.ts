import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from './create-storage';
import { createSqliteStorage } from './sqlite-storage';
import { storageContract } from './storage.contract';
import { StorageUnavailableError, type PlaceOrderRequest } from './storage-port';

storageContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pizza-sqlite-'));
  return {
    storage: createSqliteStorage(join(dir, 'pizza.db')),
    supportsConcurrentWriters: true,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

const order = (menuItemId: string, quantity: number): PlaceOrderRequest => ({
  command: {
    customer: { name: 'Ada', phone: '+44 20 7946 0000', address: '1 Pizza Street' },
    items: [{ menuItemId, quantity }],
    simulate: false,
  },
  orderId: randomUUID(),
  now: new Date().toISOString(),
  events: () => [],
});

describe('SQLite storage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pizza-sqlite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the parent directory of the database file, in WAL mode', async () => {
    const file = join(dir, 'nested', 'data', 'pizza.db');
    const storage = createStorage(`sqlite:${file}`);
    await storage.init();
    await storage.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps taken stock across a restart (a new instance on the same file)', async () => {
    const file = join(dir, 'pizza.db');
    const before = createSqliteStorage(file);
    await before.init();
    const placed = await before.placeOrder(order('lava-cake', 5));
    await before.close();

    const after = createSqliteStorage(file);
    await after.init();
    expect((await after.getMenuItem('lava-cake'))?.stock).toBe(145);
    expect(await after.getOrder(placed.order.id)).toEqual(placed.order);
    await after.close();
  });

  it('works in memory (sqlite::memory:)', async () => {
    const storage = createStorage('sqlite::memory:');
    await storage.init();
    expect(await storage.listMenu()).toHaveLength(7);
    await storage.close();
  });

  it('two instances on one file see each other’s stock', async () => {
    const file = join(dir, 'pizza.db');
    const [a, b] = [createSqliteStorage(file), createSqliteStorage(file)];
    await Promise.all([a.init(), b.init()]);
    await a.placeOrder(order('tiramisu', 143));

    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).placeOrder(order('tiramisu', 1))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    expect((await b.getMenuItem('tiramisu'))?.stock).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('answers each order of a group commit only once it is committed: another connection reads it at that moment', async () => {
    const file = join(dir, 'pizza.db');
    const storage = createSqliteStorage(file);
    await storage.init();
    const reader = new Database(file, { readonly: true });
    const committed = reader.prepare<[string], { id: string }>('SELECT id FROM orders WHERE id = ?');

    const seenAtAnswer = await Promise.all(
      Array.from({ length: 20 }, () =>
        storage.placeOrder(order('cola', 1)).then(({ order: placed }) => committed.get(placed.id)?.id === placed.id),
      ),
    );
    expect(seenAtAnswer).toEqual(Array.from({ length: 20 }, () => true));
    reader.close();
    await storage.close();
  });

  it('close waits for the orders already placed in this turn', async () => {
    const storage = createSqliteStorage(join(dir, 'pizza.db'));
    await storage.init();
    const placing = storage.placeOrder(order('cola', 1));
    await storage.close();
    await expect(placing).resolves.toMatchObject({ kind: 'created' });
  });

  it('a grouped write waits for a write lock another connection holds without blocking the event loop, then commits in the order written', async () => {
    const file = join(dir, 'pizza.db');
    const storage = createSqliteStorage(file);
    await storage.init();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE'); // another writer holds the file's write lock

    const settled: string[] = [];
    const first = storage.placeOrder(order('cola', 1)).finally(() => settled.push('first'));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    await new Promise((resolve) => setTimeout(resolve, 40));
    // a write of a later turn joins the one that waits
    const second = storage.placeOrder(order('cola', 1)).finally(() => settled.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    clearInterval(ticker);
    expect(ticks).toBeGreaterThanOrEqual(8); // timers ran while the writes waited: nothing blocked
    expect(settled).toEqual([]);

    other.exec('COMMIT');
    const [a, b] = await Promise.all([first, second]);
    expect(settled).toEqual(['first', 'second']);
    const ids = other.prepare<[], { id: string }>('SELECT id FROM orders ORDER BY rowid').all().map((row) => row.id);
    expect(ids).toEqual([a.order.id, b.order.id]);
    other.close();
    await storage.close();
  });

  it('a grouped write fails as unavailable once another connection holds the lock past the busy timeout, and the next one commits', async () => {
    const file = join(dir, 'pizza.db');
    const storage = createSqliteStorage(file, { busyTimeoutMs: 100 });
    await storage.init();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    await expect(storage.placeOrder(order('cola', 1))).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    other.exec('COMMIT');
    await expect(storage.placeOrder(order('cola', 1))).resolves.toMatchObject({ kind: 'created' });
    other.close();
    await storage.close();
  });

  it('close waits for writes that wait for another connection\'s write lock', async () => {
    const file = join(dir, 'pizza.db');
    const storage = createSqliteStorage(file);
    await storage.init();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const placing = storage.placeOrder(order('cola', 1));
    setTimeout(() => other.exec('COMMIT'), 30);
    await storage.close();
    await expect(placing).resolves.toMatchObject({ kind: 'created' });
    other.close();
  });

  it('two processes racing on one file sell exactly the stock that is left', async () => {
    const file = join(dir, 'pizza.db');
    const setup = createSqliteStorage(file);
    await setup.init();
    await setup.close(); // 500 cola left

    const script = fileURLToPath(new URL('./sqlite-race.child.ts', import.meta.url));
    const packageDir = fileURLToPath(new URL('../..', import.meta.url));
    const racers = [0, 1].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, file, 'cola', '400'], {
        cwd: packageDir,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines: string[] = [];
      let waiting: (() => void) | undefined;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        lines.push(...chunk.split('\n').filter(Boolean));
        waiting?.();
      });
      const line = (n: number) =>
        new Promise<string>((resolve, reject) => {
          const check = () => (lines.length > n ? resolve(lines[n]!) : undefined);
          waiting = check;
          child.once('exit', (code) =>
            lines.length > n ? resolve(lines[n]!) : reject(new Error(`child exited ${code}`)),
          );
          check();
        });
      return { child, line };
    });

    expect(await Promise.all(racers.map((r) => r.line(0)))).toEqual(['ready', 'ready']);
    for (const r of racers) r.child.stdin.end('go\n');
    const tallies = (await Promise.all(racers.map((r) => r.line(1)))).map(
      (text) => JSON.parse(text) as { created: number; insufficient: number; errors: string[] },
    );

    expect(tallies.flatMap((t) => t.errors)).toEqual([]);
    expect(tallies.reduce((sum, t) => sum + t.created, 0)).toBe(500);
    expect(tallies.reduce((sum, t) => sum + t.insufficient, 0)).toBe(300);
    const check = createSqliteStorage(file);
    await check.init();
    expect((await check.getMenuItem('cola'))?.stock).toBe(0);
    await check.close();
  }, 60_000);
});
