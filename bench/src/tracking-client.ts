import { WebSocket } from 'ws';
import { TRACKING_SOCKET_PATH, type TrackingMessage } from '@pizza/contracts';

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
  const pushes: Received[] = [];
  const firstStatuses = new Map<string, number>();
  let onPush: (() => void) | null = null;
  let ready = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;

  const openOne = () =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      sockets.push(ws);
      let seen = 0;
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (ok) ready += 1;
        else failed += 1;
        resolve();
      };
      const timer = setTimeout(() => settle(false), Math.max(1, deadline - Date.now()));
      ws.on('message', (data) => {
        const receivedAt = Date.now();
        seen += 1;
        const message = JSON.parse(String(data)) as TrackingMessage;
        if (seen === 1) {
          firstStatuses.set(message.status, (firstStatuses.get(message.status) ?? 0) + 1);
          settle(true);
        } else if (seen === 2) {
          pushes.push({ message, receivedAt });
          onPush?.();
        }
      });
      ws.on('error', () => settle(false));
      ws.on('close', () => settle(false));
    });

  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      next += 1;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const openMs = performance.now() - started;

  return {
    ready,
    failed,
    openMs,
    firstStatuses,
    waitForPush(expected, pushTimeoutMs) {
      return new Promise((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          onPush = null;
          resolve([...pushes]);
        };
        const timer = setTimeout(finish, pushTimeoutMs);
        onPush = () => {
          if (pushes.length >= expected) finish();
        };
        onPush();
      });
    },
    close() {
      for (const ws of sockets) {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
      }
    },
  };
}
