import { WebSocket, type ClientOptions } from 'ws';
import { TrackingMessage, trackingRank } from '@pizza/contracts';

/** For tests: a plain tracking-socket client that records what it receives and how it closed. */
export interface TrackingClient {
  ws: WebSocket;
  /** Every frame, parsed as JSON, in arrival order. */
  received: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  statuses(): TrackingMessage[];
  ranks(): number[];
  /** Resolves with the ranks once at least `count` statuses arrived; rejects after `timeoutMs`. */
  waitForRanks(count: number, timeoutMs?: number): Promise<number[]>;
}

export function openTracking(url: string, options?: ClientOptions): TrackingClient {
  const ws = new WebSocket(url, options);
  const received: unknown[] = [];
  ws.on('message', (data) => received.push(JSON.parse(data.toString())));
  ws.on('error', () => {}); // the close event carries what the tests need
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const statuses = () => received.filter((m) => (m as { type?: string }).type === 'status').map((m) => TrackingMessage.parse(m));
  const ranks = () => statuses().map((m) => trackingRank(m.status, m.deliveryStatus));
  return {
    ws,
    received,
    closed,
    statuses,
    ranks,
    async waitForRanks(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (statuses().length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} statuses within ${timeoutMs} ms, got ranks ${JSON.stringify(ranks())}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return ranks();
    },
  };
}
