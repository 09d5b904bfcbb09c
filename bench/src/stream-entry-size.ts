// `pnpm --filter @pizza/bench stream-entry-size`: what one stream entry costs in memory, in each
// topology's bus. The same envelopes (order.status_updated, the most common event, and
// order.created with two items) go into a stream no group reads, so both buses keep them all:
// - Redis (distributed): MEMORY USAGE of the stream key (SAMPLES 0: every entry counted) / entries;
// - in-process bus (embedded): growth of the V8 heap in use after a full collection / entries.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { STREAMS, type EventEnvelope } from '@pizza/contracts';
import { createLogger, createMemoryBus, createMetrics } from '@pizza/infra';
import { startRedis } from './topology';

const ENTRIES = 20_000;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function envelope(n: number): EventEnvelope {
  const base = { eventId: randomUUID(), orderId: randomUUID(), source: 'order-service', occurredAt: new Date().toISOString() };
  if (n % 2 === 0) return { ...base, type: 'order.status_updated', payload: { status: 'preparing', previousStatus: 'confirmed', simulate: true, deliveryStatus: null } } as EventEnvelope;
  const items = [
    { menuItemId: 'margherita', name: 'Margherita', quantity: 1, unitPriceCents: 1099 },
    { menuItemId: 'cola', name: 'Cola', quantity: 2, unitPriceCents: 299 },
  ];
  return { ...base, type: 'order.created', payload: { status: 'created', simulate: true, totalCents: 1697, items } } as EventEnvelope;
}

const envelopes = Array.from({ length: ENTRIES }, (_, n) => envelope(n));
const jsonBytes = envelopes.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0) / ENTRIES;
console.log(`${ENTRIES} entries, ${jsonBytes.toFixed(0)} bytes of JSON each on average`);

async function inProcess(): Promise<number> {
  const bus = createMemoryBus({ logger: createLogger('entry-size', 'silent'), metrics: createMetrics('entry-size'), maxLen: ENTRIES * 2 });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const e of envelopes) await bus.publish(STREAMS.deadLetters, e);
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / ENTRIES;
  if (bus.entries(STREAMS.deadLetters).length !== ENTRIES) throw new Error('the in-process stream did not keep every entry');
  await bus.close();
  return bytes;
}

async function inRedis(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pizza-entry-size-'));
  const redis = await startRedis(dir);
  const client = new Redis(redis.url);
  try {
    const pipeline = client.pipeline();
    for (const e of envelopes) pipeline.xadd(STREAMS.deadLetters, '*', 'data', JSON.stringify(e));
    await pipeline.exec();
    const usage = Number(await client.call('MEMORY', 'USAGE', STREAMS.deadLetters, 'SAMPLES', '0'));
    return usage / ENTRIES;
  } finally {
    client.disconnect();
    await redis.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const memory = await inProcess();
const redis = await inRedis();
const mb = (perEntry: number) => `${((perEntry * 100_000) / 1024 / 1024).toFixed(0)} MB`;
console.log(`in-process bus (embedded): ${memory.toFixed(0)} bytes of heap per entry → ${mb(memory)} per 100,000 entries`);
console.log(`Redis (distributed):       ${redis.toFixed(0)} bytes per entry (MEMORY USAGE) → ${mb(redis)} per 100,000 entries`);
