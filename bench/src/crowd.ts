import { rssBytes, sleep } from './children';
import { startTopology, type Topology, type TopologyKind } from './topology';

/** What the socket and SSE crowds share: opening many connections through a bounded pool, and waiting for their pushes. */

/** Calls `openOne` `count` times, at most `concurrency` at once, until `deadline`; resolves with the time it took. */
export async function openInPool(count: number, concurrency: number, deadline: number, openOne: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      next += 1;
      await openOne();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - started;
}

/** How many connections opened (got their first message) and how many did not. */
export class OpenTally {
  ready = 0;
  failed = 0;

  /** A function that counts one connection once, as ready or failed, and then resolves `done`; failed after `timeoutMs`. */
  settler(done: () => void, timeoutMs: number): (ok: boolean) => void {
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ok) this.ready += 1;
      else this.failed += 1;
      done();
    };
    const timer = setTimeout(() => settle(false), Math.max(1, timeoutMs));
    return settle;
  }
}

/** The pushes connections received; `waitFor` resolves once `expected` arrived or after `timeoutMs`. */
export class PushLog<T> {
  readonly items: T[] = [];
  private onPush: (() => void) | null = null;

  add(item: T): void {
    this.items.push(item);
    this.onPush?.();
  }

  waitFor(expected: number, timeoutMs: number): Promise<T[]> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.onPush = null;
        resolve([...this.items]);
      };
      const timer = setTimeout(finish, timeoutMs);
      this.onPush = () => {
        if (this.items.length >= expected) finish();
      };
      this.onPush();
    });
  }
}

const HOUR_MS = '3600000';

/** A topology whose simulator confirms an order after `confirmDelayMs` and holds every later step for an hour: one real update. */
export function startOneUpdateTopology(kind: TopologyKind, confirmDelayMs: number, maxConnections: number): Promise<Topology> {
  return startTopology(kind, {
    SIM_CONFIRM_DELAY_MS: String(confirmDelayMs),
    SIM_PREPARE_DELAY_MS: HOUR_MS,
    SIM_PICKUP_DELAY_MS: HOUR_MS,
    SIM_TRANSIT_DELAY_MS: HOUR_MS,
    WS_MAX_CONNECTIONS: String(maxConnections),
  });
}

/** Lets the process settle (timers, lazy allocations) before RSS is read. */
export async function settledRss(pid: number): Promise<number> {
  await sleep(1500);
  return rssBytes(pid);
}
