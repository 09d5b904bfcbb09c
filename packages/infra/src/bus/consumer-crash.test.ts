import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { GROUPS, STREAMS } from '@pizza/contracts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { startRedisServer, type RedisServer } from '../testing';
import { orderCreated } from './bus.contract';
import type { EventBus } from './event-bus';
import { applyEffectOnce, effectCount } from './fixtures/inbox-effect';
import { createRedisBus } from './redis-bus';
import { pendingCountReply } from './redis-replies';

const CLAIM_IDLE_MS = 500;
const fixture = fileURLToPath(new URL('./fixtures/doomed-consumer.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

let server: RedisServer;
let raw: Redis;
let bus: EventBus;
let child: ChildProcess | undefined;

beforeAll(async () => {
  server = await startRedisServer();
  raw = new Redis(server.url);
  bus = createRedisBus({
    url: server.url,
    logger: createLogger('crash-test', 'silent'),
    metrics: createMetrics('crash-test'),
    claimIdleMs: CLAIM_IDLE_MS,
  });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await bus?.close();
  raw?.disconnect();
  await server?.stop();
});

/** Resolves with each stdout line of the child as it arrives. */
function lines(process: ChildProcess): { next(match: RegExp): Promise<string> } {
  const seen: string[] = [];
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = '';
  process.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      const waiter = waiters.find((w) => w.match.test(line));
      if (waiter) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      } else seen.push(line);
    }
  });
  return {
    next: (match) =>
      new Promise((resolve) => {
        const index = seen.findIndex((line) => match.test(line));
        if (index >= 0) resolve(seen.splice(index, 1)[0]!);
        else waiters.push({ match, resolve });
      }),
  };
}

it('a consumer killed mid-message leaves it pending; another consumer claims it and the effect happens once', async () => {
  // One message dies before its effect, the other after its effect but before the ack.
  const beforeEffect = orderCreated();
  const afterEffect = orderCreated();
  child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, server.url, String(CLAIM_IDLE_MS), afterEffect.orderId],
    {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const doomed = lines(child);
  await doomed.next(/^READY$/);
  await bus.publish(STREAMS.orders, beforeEffect);
  await bus.publish(STREAMS.orders, afterEffect);
  await doomed.next(new RegExp(`^STARTED ${beforeEffect.orderId}$`));
  await doomed.next(new RegExp(`^STARTED ${afterEffect.orderId}$`));

  // A live survivor in the same group: it must not steal the messages while their handler runs.
  const attempts: { orderId: string; attempt: number; applied: boolean }[] = [];
  const survivor = bus.consume({
    streams: [STREAMS.orders],
    group: GROUPS.delivery,
    consumer: 'survivor',
    handler: async ({ envelope, attempt }) => {
      attempts.push({ orderId: envelope.orderId, attempt, applied: await applyEffectOnce(raw, envelope) });
    },
  });
  await survivor.ready;
  await sleep(CLAIM_IDLE_MS * 3);
  expect(attempts).toEqual([]);
  expect(await effectCount(raw, afterEffect.orderId)).toBe(1);

  child.kill('SIGKILL');
  await once(child, 'exit');
  child = undefined;

  await vi.waitFor(() => expect(attempts).toHaveLength(2), { timeout: 10_000, interval: 50 });
  expect(attempts).toEqual(
    expect.arrayContaining([
      { orderId: beforeEffect.orderId, attempt: 2, applied: true },
      { orderId: afterEffect.orderId, attempt: 2, applied: false },
    ]),
  );
  expect(await effectCount(raw, beforeEffect.orderId)).toBe(1);
  expect(await effectCount(raw, afterEffect.orderId)).toBe(1);
  await vi.waitFor(
    async () =>
      expect(pendingCountReply(await raw.call('XPENDING', STREAMS.orders, GROUPS.delivery))).toBe(0),
    {
      timeout: 5_000,
    },
  );
  await survivor.close();
}, 60_000);
