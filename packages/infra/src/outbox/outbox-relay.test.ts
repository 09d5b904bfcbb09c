import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SERVICES, STREAMS, type EventEnvelope } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { EventBus } from '../bus/event-bus';
import { createMemoryBus } from '../bus/memory-bus';
import { createRedisBus } from '../bus/redis-bus';
import { readStreamsReply } from '../bus/redis-replies';
import { createLogger } from '../logger';
import { createMetrics, type Metrics } from '../metrics';
import { createStorage } from '../storage/create-storage';
import type { Storage } from '../storage/storage-port';
import { startRedisServer, type RedisServer } from '../testing';
import { newOrderRequest } from './fixtures/new-order-request';
import { createOutboxRelay, type OutboxRelay } from './outbox-relay';

const logger = createLogger('outbox-test', 'silent');
const source = SERVICES.order;
const crashFixture = fileURLToPath(new URL('./fixtures/commit-then-crash.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let databaseUrl: string;
let storage: Storage;
let metrics: Metrics;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-relay-'));
  databaseUrl = `sqlite:${join(dir, 'pizza.db')}`;
  storage = createStorage(databaseUrl);
  await storage.init();
  metrics = createMetrics('outbox-test');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function relayOver(bus: EventBus, intervalMs = 60_000): OutboxRelay {
  const relay = createOutboxRelay({ storage, bus, source, logger, metrics, intervalMs });
  cleanups.push(() => relay.close());
  return relay;
}

function memoryBus(): EventBus {
  const bus = createMemoryBus({ logger, metrics });
  cleanups.push(() => bus.close());
  return bus;
}

/** Every envelope the bus delivers on the order service's two streams, in arrival order. */
async function recordDeliveries(bus: EventBus): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = [];
  const subscription = bus.subscribe(
    [STREAMS.orders, STREAMS.simulateOrder],
    (m) => void seen.push(m.envelope),
  );
  await subscription.ready;
  return seen;
}

const ids = (events: readonly EventEnvelope[]) => events.map((e) => e.eventId);
const pendingIds = async () => ids((await storage.pendingOutbox(source, 100)).map((row) => row.envelope));

it("publishes placed orders' events once, in order, right after a nudge, and marks them sent", async () => {
  const bus = memoryBus();
  const seen = await recordDeliveries(bus);
  const relay = relayOver(bus);
  relay.start();

  const { request, events } = newOrderRequest();
  await storage.placeOrder(request);
  relay.nudge();
  await vi.waitFor(() => expect(ids(seen)).toEqual(ids(events)), { timeout: 10_000, interval: 10 });
  expect(seen).toEqual(events);

  await relay.flush();
  await relay.flush();
  await sleep(50);
  expect(ids(seen)).toEqual(ids(events));
  expect(await pendingIds()).toEqual([]);
  expect((await metrics.outboxPending.get()).values[0]?.value).toBe(0);
});

it('never runs two passes at once: a burst of nudges publishes every event exactly once', async () => {
  const bus = memoryBus();
  const seen = await recordDeliveries(bus);
  const relay = relayOver(bus, 5);
  const placed: EventEnvelope[] = [];
  for (let i = 0; i < 20; i++) {
    const { request, events } = newOrderRequest();
    await storage.placeOrder(request);
    placed.push(...events);
  }
  relay.start();
  for (let i = 0; i < 50; i++) relay.nudge();
  await relay.flush();
  // flush has published everything; the bus hands it to the subscriber asynchronously
  await vi.waitFor(() => expect(seen).toHaveLength(placed.length), { timeout: 10_000, interval: 10 });
  await sleep(200); // room for a duplicate to show up
  expect(ids(seen).sort()).toEqual(ids(placed).sort());
  expect(await pendingIds()).toEqual([]);
});

it('keeps the rows while the bus rejects them, and publishes them once Redis is back', async () => {
  const server: RedisServer = await startRedisServer();
  cleanups.push(() => server.stop());
  const bus = createRedisBus({ url: server.url, logger, metrics });
  cleanups.push(() => bus.close());
  const relay = relayOver(bus, 100);
  relay.start();

  await server.stop();
  const { request, events } = newOrderRequest();
  await storage.placeOrder(request);
  relay.nudge();
  await sleep(1_000);
  expect(await pendingIds()).toEqual(ids(events));
  await expect(relay.flush()).rejects.toThrow();
  expect((await metrics.outboxPending.get()).values[0]?.value).toBe(2);

  await server.restart();
  await vi.waitFor(async () => expect(await pendingIds()).toEqual([]), { timeout: 20_000, interval: 100 });
  const raw = new Redis(server.url);
  cleanups.push(() => raw.disconnect());
  const read = async (stream: string) => {
    const [batch] = readStreamsReply(await raw.call('XREAD', 'STREAMS', stream, '0'));
    return (batch?.entries ?? []).map((entry) => (JSON.parse(entry.data ?? '{}') as EventEnvelope).eventId);
  };
  expect(await read(STREAMS.orders)).toEqual([events[0]!.eventId]);
  expect(await read(STREAMS.simulateOrder)).toEqual([events[1]!.eventId]);
}, 60_000);

it('publishes exactly once the events of a process killed between commit and publish', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', crashFixture, databaseUrl], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  expect(signal).toBe('SIGKILL');
  const committed = JSON.parse(output.trim()) as string[];
  expect(committed).toHaveLength(2);
  expect(await pendingIds()).toEqual(committed);

  // The restarted service: a fresh relay publishes what the dead process committed.
  const bus = memoryBus();
  const seen = await recordDeliveries(bus);
  const relay = relayOver(bus, 50);
  relay.start();
  await vi.waitFor(() => expect(ids(seen)).toEqual(committed), { timeout: 10_000, interval: 20 });
  await relay.flush();
  await sleep(200);
  expect(ids(seen)).toEqual(committed);
  expect(await pendingIds()).toEqual([]);
}, 30_000);
