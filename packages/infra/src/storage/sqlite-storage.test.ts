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

/** Another process that takes the file's write lock, says so, and lets go after `holdMs`. */
function spawnLockHolder(file: string, holdMs: number): { locked: Promise<void>; done: Promise<void> } {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ['-e', script, file, String(holdMs)], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    void done.then(() => reject(new Error('the lock holder exited before it took the lock')));
  });
  return { locked, done };
}

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
    // these timers fire while the write waits: a write blocked in SQLite's busy handler would hold the
    // event loop for the whole busy timeout (5 s) and then fail
    await new Promise((resolve) => setTimeout(resolve, 40));
    // a write of a later turn joins the one that waits
    const second = storage.placeOrder(order('cola', 1)).finally(() => settled.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(settled).toEqual([]);

    other.exec('COMMIT');
    const [a, b] = await Promise.all([first, second]);
    expect(settled).toEqual(['first', 'second']);
    const ids = other.prepare<[], { id: string }>('SELECT id FROM orders ORDER BY rowid').all().map((row) => row.id);
    expect(ids).toEqual([a.order.id, b.order.id]);
    other.close();
    await storage.close();
  });

  it('a grouped write fails as unavailable once it has waited the busy timeout for a lock held elsewhere; one that joined later waits its own', async () => {
    const file = join(dir, 'pizza.db');
    const storage = createSqliteStorage(file, { busyTimeoutMs: 200 });
    await storage.init();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const first = storage.placeOrder(order('cola', 1));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = storage.placeOrder(order('cola', 1));
    await expect(first).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(199);
    // the lock comes free before the second write has waited its 200 ms: it commits
    other.exec('COMMIT');
    await expect(second).resolves.toMatchObject({ kind: 'created' });
    other.close();
    await storage.close();
  });

  it('after a grouped write gave up on a lock held elsewhere, other writes still wait for a lock in SQLite (busy_timeout is back)', async () => {
    const file = join(dir, 'pizza.db');
    const storage = createSqliteStorage(file, { busyTimeoutMs: 300 });
    await storage.init();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    // tried with busy_timeout 0 until it has waited its 300 ms, then refused
    await expect(storage.placeOrder(order('cola', 1))).rejects.toBeInstanceOf(StorageUnavailableError);
    other.exec('COMMIT');
    other.close();
    // another process holds the lock for a moment: a non-grouped write waits for it in SQLite's busy
    // handler (with busy_timeout left at 0 it would fail at once)
    const holder = spawnLockHolder(file, 100);
    await holder.locked;
    await expect(storage.setStock('cola', 7)).resolves.toMatchObject({ id: 'cola', stock: 7 });
    await holder.done;
    await storage.close();
  });

  it('a grouped write made after close is refused as unavailable, and the process keeps running', async () => {
    const storage = createSqliteStorage(join(dir, 'pizza.db'));
    await storage.init();
    await storage.close();
    await expect(storage.placeOrder(order('cola', 1))).rejects.toBeInstanceOf(StorageUnavailableError);
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
