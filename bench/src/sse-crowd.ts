import { request, type ClientRequest } from 'node:http';
import { OpenTally, PushLog, openInPool } from './crowd';

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
  const pushes = new PushLog<number>();
  const tally = new OpenTally();
  const deadline = Date.now() + timeoutMs;

  const openOne = () =>
    new Promise<void>((resolve) => {
      let seen = 0;
      const settle = tally.settler(resolve, deadline - Date.now());
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
            else if (seen === 2) pushes.add(Date.now());
          }
        });
      });
      req.on('error', () => settle(false));
      req.end();
      requests.push(req);
    });

  const openMs = await openInPool(count, concurrency, deadline, openOne);

  return {
    ready: tally.ready,
    failed: tally.failed,
    openMs,
    waitForPush: (wanted, waitMs) => pushes.waitFor(wanted, waitMs),
    close() {
      for (const req of requests) req.destroy();
    },
  };
}
