import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { STREAMS, type EventEnvelope } from '@pizza/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultStore, type FaultStore } from '../faults/fault-store';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import {
  createTestNetwork,
  networkNamespacesUnavailable,
  startRedisServer,
  type NetworkNamespace,
  type RedisServer,
  type TestNetwork,
} from '../testing';
import { orderCreated } from './bus.contract';
import type { EventBus } from './event-bus';
import { createRedisBus } from './redis-bus';

const fixture = fileURLToPath(new URL('./fixtures/partitioned-client.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const BLOCK_MS = 1_000;
const STALL_AFTER_MS = 4_000;
/** Before the fix a silently dropped link took ~16 minutes (TCP retransmissions) to notice. */
const RECOVERY_BOUND_MS = 20_000;
const unavailable = networkNamespacesUnavailable();

/** Collects the child's stdout lines; waits for one that matches, with a deadline. */
function lineLog(child: ChildProcess) {
  const lines: { at: number; text: string }[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const text of parts) lines.push({ at: Date.now(), text });
  });
  return {
    lines,
    async waitFor(match: (text: string) => boolean, timeoutMs: number, what: string) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => match(l.text));
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`the partitioned client exited before ${what}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; saw:\n${lines.map((l) => l.text).join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe.skipIf(unavailable !== null)(
  `a bus client cut off from Redis by a network partition (skipped when ${unavailable ?? 'never'}: it needs root and ip netns)`,
  () => {
    let network: TestNetwork;
    let ns: NetworkNamespace;
    let server: RedisServer;
    let bus: EventBus;
    let faults: FaultStore;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      network = createTestNetwork();
      ns = network.addNamespace();
      server = await startRedisServer({ bind: [network.hostAddress] });
      bus = createRedisBus({
        url: server.url,
        logger: createLogger('partition-test', 'silent'),
        metrics: createMetrics('partition-test'),
      });
      faults = createFaultStore({ redisUrl: server.url });
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      await faults?.close();
      await bus?.close();
      await server?.stop();
      network?.destroy();
    });

    it('health reports the outage and a stuck reader; back under a new address, every event is consumed and received, and a fault set after healing is seen, within seconds', async () => {
      const [cmd, ...args] = ns.exec;
      child = spawn(
        cmd!,
        [...args, process.execPath, '--import', 'tsx', fixture, `redis://${network.hostAddress}:${server.port}`, String(BLOCK_MS), String(STALL_AFTER_MS)],
        { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const log = lineLog(child);
      await log.waitFor((t) => t === 'READY', 30_000, 'READY');
      const delivered = (events: EventEnvelope[], timeoutMs: number) =>
        Promise.all(
          events.flatMap(({ eventId }) => [
            log.waitFor((t) => t === `CONSUMED ${eventId}`, timeoutMs, `CONSUMED ${eventId}`),
            log.waitFor((t) => t === `RECEIVED ${eventId}`, timeoutMs, `RECEIVED ${eventId}`),
          ]),
        );
      const publish = async (count: number) => {
        const events = Array.from({ length: count }, () => orderCreated());
        for (const event of events) await bus.publish(STREAMS.orders, event);
        return events;
      };

      await delivered(await publish(3), 30_000);
      await log.waitFor((t) => t === 'HEALTH ok', 30_000, 'healthy bus before the cut');

      const cutAt = Date.now();
      ns.cut();
      // Published while the client is cut off; Redis may still hand some to the dead blocked read.
      const during = await publish(3);
      const outage = await log.waitFor((t) => t.startsWith('HEALTH error'), 30_000, 'health error during the cut');
      expect(outage.at).toBeGreaterThan(cutAt);
      const stuck = await log.waitFor((t) => /HEALTH error .*has not completed a read/.test(t), 30_000, 'stuck-reader health error');
      expect(stuck.at).toBeGreaterThan(cutAt);
      expect(log.lines.filter((l) => l.at > cutAt && /^(CONSUMED|RECEIVED)/.test(l.text))).toEqual([]);

      const healedAt = Date.now();
      // Back under a new address, like a reconnected container: the old connections are dead for good.
      ns.heal({ readdress: true });
      await delivered(during, RECOVERY_BOUND_MS);
      const recovered = await log.waitFor(
        (t) => t === 'HEALTH ok' && log.lines.some((l) => l.at > healedAt && l.text === 'HEALTH ok'),
        RECOVERY_BOUND_MS,
        'healthy bus after healing',
      );
      expect(recovered.text).toBe('HEALTH ok');
      // The fault store's own connection (every service has one) came back too: a fault set now reaches it.
      expect(log.lines.filter((l) => l.text.startsWith('FAULT')).map((l) => l.text)).toEqual(['FAULT none']);
      await faults.set({ name: 'consumer-delay', params: { group: 'partition-group', delayMs: 1 }, expiresAt: new Date(Date.now() + 60_000).toISOString() });
      await log.waitFor((t) => t === 'FAULT consumer-delay', RECOVERY_BOUND_MS, 'the fault set after healing');
      const last = Math.max(...log.lines.filter((l) => during.some((e) => l.text.endsWith(e.eventId))).map((l) => l.at));
      expect(last - healedAt).toBeLessThan(RECOVERY_BOUND_MS);

      // Still working afterwards, each event exactly once.
      const after = await publish(3);
      await delivered(after, 30_000);
      for (const { eventId } of [...during, ...after])
        expect(log.lines.filter((l) => l.text === `CONSUMED ${eventId}`)).toHaveLength(1);
    }, 120_000);
  },
);
