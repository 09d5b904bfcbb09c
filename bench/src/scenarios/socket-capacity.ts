import type { TrackingMessage } from '@pizza/contracts';
import { startWsBaseline } from '../baselines';
import { settledRss, startOneUpdateTopology } from '../crowd';
import { createOrder } from '../orders-api';
import { metric, type Check } from '../results';
import { alternate, type ScenarioContext, type ScenarioSpec } from '../scenario';
import { percentile } from '../stats';
import type { TopologyKind } from '../topology';
import { openCrowd, trackingUrl } from '../tracking-client';

const HANDSHAKES_IN_FLIGHT = 256;

interface CapacityRun {
  sockets: number;
  ready: number;
  openMs: number;
  bytesPerSocket: number;
  received: number;
  /** From the update's `at` to its arrival on the last socket. */
  allReceivedMs: number | null;
  p50Ms: number | null;
  rssMb: number;
  /** Sockets whose snapshot already carried the update (it came before they were all open). */
  early: number;
}

function summarize(crowdCount: number, ready: number, openMs: number, rss0: number, rss1: number, pushes: { receivedAt: number; message: TrackingMessage }[], early: number): CapacityRun {
  const delays = pushes.map((p) => p.receivedAt - Date.parse(p.message.at));
  return {
    sockets: crowdCount,
    ready,
    openMs,
    bytesPerSocket: (rss1 - rss0) / Math.max(1, ready),
    received: pushes.length,
    allReceivedMs: percentile(delays, 100),
    p50Ms: percentile(delays, 50),
    rssMb: rss1 / 2 ** 20,
    early,
  };
}

/**
 * Scenario 4: N tracking sockets on one process, all following one order; one status change is
 * pushed to all. Memory per socket = RSS growth / sockets; time until the last socket has it.
 * The update is real: the simulator confirms the order after SIM_CONFIRM_DELAY_MS, which is sized
 * to leave time to open every socket first (later steps are an hour away).
 */
export function socketCapacityScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  const count = options.sockets;
  return {
    id: 'sockets',
    title: `Socket capacity: ${count} tracking sockets, one update each`,
    topology: kind,
    async run() {
      const system: CapacityRun[] = [];
      const bare: CapacityRun[] = [];
      const notes: string[] = [];
      const rounds = Math.min(options.rounds, 3);
      let confirmDelayMs = 5000 + count * 1.5;
      for (let round = 0; round < rounds; round += 1) {
        await alternate(
          round,
          async () => {
            const delay = Math.round(confirmDelayMs);
            const topology = await startOneUpdateTopology(kind, delay, count + 1000);
            try {
              const rss0 = await settledRss(topology.socketPid);
              const order = await createOrder(topology.apiUrl, 'cola', true);
              const crowd = await openCrowd(trackingUrl(topology.wsUrl, order.id), count, HANDSHAKES_IN_FLIGHT, delay + 30_000);
              try {
                const rss1 = await settledRss(topology.socketPid);
                const pushes = await crowd.waitForPush(crowd.ready, delay + 30_000);
                const early = crowd.ready - (crowd.firstStatuses.get('created') ?? 0);
                system.push(summarize(count, crowd.ready, crowd.openMs, rss0, rss1, pushes, early));
                if (early > 0) notes.push(`round ${round + 1}: ${early} sockets opened after the update (SIM_CONFIRM_DELAY_MS=${delay} was too short); their time is not counted`);
                // the next round waits only as long as opening took here
                confirmDelayMs = Math.min(60_000, Math.max(5000, 2 * crowd.openMs + 4000));
              } finally {
                crowd.close();
              }
            } finally {
              await topology.stop();
            }
          },
          async () => {
            const template = { type: 'status', orderId: '00000000-0000-4000-8000-000000000000', status: 'confirmed', deliveryStatus: null, at: new Date().toISOString() };
            const server = await startWsBaseline('hold', template);
            try {
              const rss0 = await settledRss(server.pid);
              const crowd = await openCrowd(`${server.wsUrl}/`, count, HANDSHAKES_IN_FLIGHT, 60_000);
              try {
                const rss1 = await settledRss(server.pid);
                const waiting = crowd.waitForPush(crowd.ready, 30_000);
                await fetch(`${server.url}/push`, { method: 'POST' });
                bare.push(summarize(count, crowd.ready, crowd.openMs, rss0, rss1, await waiting, 0));
              } finally {
                crowd.close();
              }
            } finally {
              await server.stop();
            }
          },
        );
        const s = system.at(-1);
        const b = bare.at(-1);
        if (s && b) {
          ctx.log(
            `  round ${round + 1}: system ${s.ready}/${count} open in ${Math.round(s.openMs)} ms, ${(s.bytesPerSocket / 1024).toFixed(1)} KB/socket, ${s.received} got the update, last after ${s.allReceivedMs} ms; ` +
              `bare ${(b.bytesPerSocket / 1024).toFixed(1)} KB/socket, last after ${b.allReceivedMs} ms`,
          );
        }
      }
      const checks: Check[] = system.map((s, i) => ({
        label: `round ${i + 1}: all ${count} sockets opened and received the update`,
        ok: s.ready === count && s.received === count,
        detail: `${s.ready} opened, ${s.received} received the update`,
      }));
      return {
        metrics: [
          metric({
            key: 'sockets.kbPerSocket',
            label: 'memory per socket (RSS delta / sockets)',
            unit: 'KB',
            runs: system.map((s) => s.bytesPerSocket / 1024),
            baseline: { label: 'bare ws server', runs: bare.map((s) => s.bytesPerSocket / 1024) },
            target: { on: 'value', op: '<=', value: 8 },
          }),
          metric({
            key: 'sockets.allReceivedMs',
            label: 'time until all received the update',
            unit: 'ms',
            runs: system.flatMap((s) => (s.allReceivedMs === null ? [] : [s.allReceivedMs])),
            baseline: { label: 'bare ws server', runs: bare.flatMap((s) => (s.allReceivedMs === null ? [] : [s.allReceivedMs])) },
            target: { on: 'value', op: '<=', value: 1000 },
          }),
          metric({
            key: 'sockets.openMs',
            label: `time to open ${count} sockets (${HANDSHAKES_IN_FLIGHT} handshakes in flight)`,
            unit: 'ms',
            runs: system.map((s) => s.openMs),
            baseline: { label: 'bare ws server', runs: bare.map((s) => s.openMs) },
            digits: 0,
          }),
          metric({ key: 'sockets.rssMb', label: `RSS holding ${count} sockets`, unit: 'MB', runs: system.map((s) => s.rssMb), baseline: { label: 'bare ws server', runs: bare.map((s) => s.rssMb) }, digits: 1 }),
        ],
        checks,
        notes: [...notes, 'KB = 1024 bytes; RSS from /proc/<pid>/status (VmRSS) of the process holding the sockets, before and after opening them'],
      };
    },
  };
}
