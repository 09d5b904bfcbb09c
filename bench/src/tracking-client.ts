import { WebSocket } from 'ws';
import { TRACKING_SOCKET_PATH, type TrackingMessage } from '@pizza/contracts';
import { OpenTally, PushLog, openInPool } from './crowd';

export const trackingUrl = (wsUrl: string, orderId: string) => `${wsUrl}${TRACKING_SOCKET_PATH}/${orderId}`;

export interface Received {
  message: TrackingMessage;
  /** Date.now() when it arrived: comparable with the message's `at` (same machine, same clock). */
  receivedAt: number;
}

/**
 * Follows one order on one socket until `done(message)` says so, the socket closes, or the time
 * is up. Resolves with every status message, the first being the snapshot sent on connect.
 */
export function followOrder(url: string, done: (message: TrackingMessage) => boolean, timeoutMs: number): Promise<{ received: Received[]; closeCode: number | null }> {
  return new Promise((resolve) => {
    const received: Received[] = [];
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let closeCode: number | null = null;
    const finish = () => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve({ received, closeCode });
    };
    const timer = setTimeout(finish, timeoutMs);
    ws.on('message', (data) => {
      const receivedAt = Date.now();
      const message = JSON.parse(String(data)) as TrackingMessage;
      if (message.type !== 'status') return;
      received.push({ message, receivedAt });
      if (done(message)) finish();
    });
    ws.on('close', (code) => {
      closeCode = code;
      finish();
    });
    ws.on('error', () => finish());
  });
}

export interface SocketCrowd {
  /** Sockets that opened and got their first message. */
  ready: number;
  failed: number;
  /** From the first connect to the last first message. */
  openMs: number;
  /** Status of the first message each socket got (the snapshot). */
  firstStatuses: Map<string, number>;
  /** Resolves when `count` sockets got a second status message, or after `timeoutMs`. */
  waitForPush(count: number, timeoutMs: number): Promise<Received[]>;
  close(): void;
}

/**
 * Opens `count` sockets to `url` (at most `concurrency` handshakes at once) and keeps them. Each
 * one stores little: the bench process must hold 10,000 of them too.
 */
export async function openCrowd(url: string, count: number, concurrency: number, timeoutMs: number): Promise<SocketCrowd> {
  const sockets: WebSocket[] = [];
  const pushes = new PushLog<Received>();
  const firstStatuses = new Map<string, number>();
  const tally = new OpenTally();
  const deadline = Date.now() + timeoutMs;

  const openOne = () =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      let seen = 0;
      const settle = tally.settler(resolve, deadline - Date.now());
      ws.on('message', (data) => {
        const receivedAt = Date.now();
        seen += 1;
        const message = JSON.parse(String(data)) as TrackingMessage;
        if (seen === 1) {
          firstStatuses.set(message.status, (firstStatuses.get(message.status) ?? 0) + 1);
          settle(true);
        } else if (seen === 2) {
          pushes.add({ message, receivedAt });
        }
      });
      ws.on('error', () => settle(false));
      ws.on('close', () => settle(false));
    });

  const openMs = await openInPool(count, concurrency, deadline, openOne);

  return {
    ready: tally.ready,
    failed: tally.failed,
    openMs,
    firstStatuses,
    waitForPush: (expected, pushTimeoutMs) => pushes.waitFor(expected, pushTimeoutMs),
    close() {
      for (const ws of sockets) {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
      }
    },
  };
}
