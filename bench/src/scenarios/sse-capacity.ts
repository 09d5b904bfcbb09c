import { orderEventsPath } from '@pizza/contracts';
import { settledRss, startOneUpdateTopology } from '../crowd';
import { createOrder } from '../orders-api';
import { metric, type Check } from '../results';
import type { ScenarioContext, ScenarioSpec } from '../scenario';
import { percentile } from '../stats';
import type { TopologyKind } from '../topology';
import { openSseCrowd } from '../sse-crowd';

const STREAMS_IN_FLIGHT = 128;

interface SseRun {
  ready: number;
  openMs: number;
  bytesPerClient: number;
  received: number;
  allReceivedMs: number | null;
  rssMb: number;
}

/**
 * N SSE clients on `GET /api/v1/orders/{id}/events`, all following one order on the process that
 * serves them; one real status change (the simulator confirms the order) is pushed to all.
 * Memory per client = RSS growth / clients; time from the change until the last client has it.
 */
export function sseCapacityScenario(ctx: ScenarioContext, kind: TopologyKind): ScenarioSpec {
  const { options } = ctx;
  const count = options.sseClients;
  return {
    id: 'sse',
    title: `SSE capacity: ${count} event-stream clients, one update each`,
    topology: kind,
    async run() {
      const runs: SseRun[] = [];
      const notes: string[] = [];
      const rounds = Math.min(options.rounds, 3);
      for (let round = 0; round < rounds; round += 1) {
        const delay = 8000 + count * 5;
        const topology = await startOneUpdateTopology(kind, delay, count + 1000);
        try {
          const rss0 = await settledRss(topology.socketPid);
          const order = await createOrder(topology.apiUrl, 'cola', true);
          const url = `${topology.wsUrl.replace(/^ws/, 'http')}${orderEventsPath(order.id)}`;
          const crowd = await openSseCrowd(url, count, STREAMS_IN_FLIGHT, delay + 30_000);
          try {
            const rss1 = await settledRss(topology.socketPid);
            const pushes = await crowd.waitForPush(crowd.ready, delay + 30_000);
            const confirmedAt = await confirmedTime(topology.apiUrl, order.id);
            const delays = confirmedAt === null ? [] : pushes.map((at) => at - confirmedAt);
            if (crowd.openMs > delay) notes.push(`round ${round + 1}: opening took ${Math.round(crowd.openMs)} ms, longer than the confirm delay; early clients got the update in their snapshot`);
            runs.push({
              ready: crowd.ready,
              openMs: crowd.openMs,
              bytesPerClient: (rss1 - rss0) / Math.max(1, crowd.ready),
              received: pushes.length,
              allReceivedMs: percentile(delays, 100),
              rssMb: rss1 / 2 ** 20,
            });
            const r = runs.at(-1)!;
            ctx.log(`  round ${round + 1}: ${r.ready}/${count} open in ${Math.round(r.openMs)} ms, ${(r.bytesPerClient / 1024).toFixed(1)} KB/client, ${r.received} got the update, last after ${r.allReceivedMs} ms`);
          } finally {
            crowd.close();
          }
        } finally {
          await topology.stop();
        }
      }
      const checks: Check[] = runs.map((r, i) => ({
        label: `round ${i + 1}: all ${count} SSE clients opened and received the update`,
        ok: r.ready === count && r.received === count,
        detail: `${r.ready} opened, ${r.received} received the update`,
      }));
      return {
        metrics: [
          metric({ key: 'sse.kbPerClient', label: 'memory per SSE client (RSS delta / clients)', unit: 'KB', runs: runs.map((r) => r.bytesPerClient / 1024) }),
          metric({
            key: 'sse.allReceivedMs',
            label: 'time until all received the update',
            unit: 'ms',
            runs: runs.flatMap((r) => (r.allReceivedMs === null ? [] : [r.allReceivedMs])),
          }),
          metric({ key: 'sse.openMs', label: `time to open ${count} streams (${STREAMS_IN_FLIGHT} at once)`, unit: 'ms', runs: runs.map((r) => r.openMs), digits: 0 }),
          metric({ key: 'sse.rssMb', label: `RSS holding ${count} SSE clients`, unit: 'MB', runs: runs.map((r) => r.rssMb), digits: 1 }),
        ],
        checks,
        notes: [...notes, 'KB = 1024 bytes; RSS from /proc/<pid>/status (VmRSS) of the process serving the streams, before and after opening them; no bare-server baseline in this scenario'],
      };
    },
  };
}

/** When the order was confirmed, from its history (the update every client waits for). */
async function confirmedTime(apiUrl: string, orderId: string): Promise<number | null> {
  const order = (await (await fetch(`${apiUrl}/api/v1/orders/${orderId}`)).json()) as { history: { status: string; at: string }[] };
  const confirmed = order.history.find((h) => h.status === 'confirmed');
  return confirmed ? Date.parse(confirmed.at) : null;
}
