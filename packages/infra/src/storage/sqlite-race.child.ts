// A separate process placing single-unit orders on a shared SQLite file, for the cross-process race in sqlite-storage.test.ts.
// Usage: node --import tsx sqlite-race.child.ts <db file> <menu item id> <attempts>; starts on the first stdin line.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createSqliteStorage } from './sqlite-storage';
import { StorageError } from './storage-port';

const [file = '', menuItemId = '', attempts = '0'] = process.argv.slice(2);
const storage = createSqliteStorage(file);
await storage.init();
process.stdout.write('ready\n');
await once(process.stdin, 'data');

const customer = { name: 'Racer', phone: '+44 20 7946 0002', address: '2 Race Road' };
// Spread over 200 ms so both processes' transactions interleave instead of one finishing first.
const outcomes = await Promise.allSettled(
  Array.from({ length: Number(attempts) }, async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
    return storage.placeOrder({
      command: { customer, items: [{ menuItemId, quantity: 1 }], simulate: false },
      orderId: randomUUID(),
      now: new Date().toISOString(),
      events: () => [],
    });
  }),
);
const tally = { created: 0, insufficient: 0, errors: [] as string[] };
for (const outcome of outcomes) {
  if (outcome.status === 'fulfilled') tally.created++;
  else if (outcome.reason instanceof StorageError && outcome.reason.code === 'INSUFFICIENT_STOCK')
    tally.insufficient++;
  else tally.errors.push(String(outcome.reason));
}
await storage.close();
process.stdout.write(`${JSON.stringify(tally)}\n`);
