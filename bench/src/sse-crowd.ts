import { request, type ClientRequest } from 'node:http';

export interface SseCrowd {
  /** Streams that answered 200 and delivered their first status event. */
  ready: number;
  failed: number;
  /** From the first request to the last first event. */
  openMs: number;
  /** Resolves with the arrival times of the second status event, once `count` streams got one or after `timeoutMs`. */
  waitForPush(count: number, timeoutMs: number): Promise<number[]>;
  close(): void;
}

/**
 * Opens `count` Server-Sent Events streams to `url` (at most `concurrency` being set up at once)
 * and keeps them, counting `event: status` frames. Each stream keeps almost nothing here.
 */
export async function openSseCrowd(url: string, count: number, concurrency: number, timeoutMs: number): Promise<SseCrowd> {
  const requests: ClientRequest[] = [];
  const pushes: number[] = [];
  let onPush: (() => void) | null = null;
  let ready = 0;
  let failed = 0;
  const started = performance.now();

  const openOne = () =>
    new Promise<void>((resolve) => {
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
      const timer = setTimeout(() => settle(false), timeoutMs);
      const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return settle(false);
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          for (let at = chunk.indexOf('event: status'); at !== -1; at = chunk.indexOf('event: status', at + 1)) {
            seen += 1;
            if (seen === 1) settle(true);
            else if (seen === 2) {
              pushes.push(Date.now());
              onPush?.();
            }
          }
        });
      });
      req.on('error', () => settle(false));
      req.end();
      requests.push(req);
    });

  let next = 0;
  const worker = async () => {
    while (next < count) {
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
    waitForPush(wanted, waitMs) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          onPush = null;
          resolve([...pushes]);
        };
        const timer = setTimeout(done, waitMs);
        onPush = () => {
          if (pushes.length >= wanted) done();
        };
        onPush();
      });
    },
    close() {
      for (const req of requests) req.destroy();
    },
  };
}
