import { compareHops, JourneyHop, JourneyStart, OrderId } from '@pizza/contracts';
import { useEffect, useState } from 'react';
import { readAdminSubscription, type Refused } from './pipeline-feed';

export const JOURNEY_FEED_PATH = '/api/trpc/admin.journey';
export const JOURNEY_STARTS_PATH = '/api/trpc/admin.journeyStarts';

export type JourneyFeed =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'live'; hops: JourneyHop[] }
  /** 401/403: the page asks for the admin token. */
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'down'; error: string; hops: JourneyHop[] };

/** One row of the journey table: the hop and the milliseconds since the hop before it. */
export interface JourneyRow {
  hop: JourneyHop;
  sincePreviousMs: number | null;
}

/** Hops by time (the same millisecond by kind, then as they came), each with the latency from the one before. */
export function journeyRows(hops: readonly JourneyHop[]): JourneyRow[] {
  const sorted = hops.map((hop, i) => ({ hop, i, t: Date.parse(hop.at) })).sort((a, b) => compareHops(a.hop, b.hop) || a.i - b.i);
  return sorted.map(({ hop, t }, i) => ({ hop, sincePreviousMs: i === 0 ? null : t - sorted[i - 1]!.t }));
}


const input = (value: unknown) => `input=${encodeURIComponent(JSON.stringify(value))}`;

/** The live journey of one order (tRPC subscription `admin.journey` over SSE), reconnecting after a drop. */
export function useJourneyFeed(orderId: string | null, tokenVersion: number): JourneyFeed {
  const [feed, setFeed] = useState<JourneyFeed>({ kind: 'idle' });
  useEffect(() => {
    if (!orderId) {
      setFeed({ kind: 'idle' });
      return;
    }
    const abort = new AbortController();
    const run = async () => {
      setFeed({ kind: 'connecting' });
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        // every (re)connection replays the kept hops first: start from none each time
        let hops: JourneyHop[] = [];
        try {
          setFeed({ kind: 'live', hops });
          const refused = await readAdminSubscription(`${JOURNEY_FEED_PATH}?${input({ orderId })}`, abort.signal, (value) => {
            const parsed = JourneyHop.safeParse(value);
            if (!parsed.success) return;
            attempt = 0;
            hops = [...hops, parsed.data];
            setFeed({ kind: 'live', hops });
          });
          if (refused) return setFeed({ kind: 'refused', ...refused });
        } catch (error) {
          if (abort.signal.aborted) return;
          setFeed({ kind: 'down', error: error instanceof Error ? error.message : String(error), hops });
        }
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    };
    void run();
    return () => abort.abort();
  }, [orderId, tokenVersion]);
  return feed;
}

/**
 * While `waiting`, the id of the next order whose journey starts (tRPC subscription
 * `admin.journeyStarts`). `onListening` once the server has its starting point (an order placed
 * from then on is the one); a reconnect resumes from that point, so an order that started during
 * a drop is not missed.
 */
export function useNextOrder(
  waiting: boolean,
  tokenVersion: number,
  onOrder: (orderId: string) => void,
  onRefused: (refused: Refused) => void,
  onListening: () => void,
): void {
  useEffect(() => {
    if (!waiting) return;
    const abort = new AbortController();
    let after: string | null | undefined;
    const run = async () => {
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        try {
          const url = after === undefined ? JOURNEY_STARTS_PATH : `${JOURNEY_STARTS_PATH}?${input({ after })}`;
          const refused = await readAdminSubscription(url, abort.signal, (value) => {
            const start = JourneyStart.safeParse(value);
            if (!start.success || abort.signal.aborted) return;
            attempt = 0;
            const next = start.data.orderId === null ? null : OrderId.safeParse(start.data.orderId);
            if (next === null) {
              if (after === undefined) onListening();
              after = start.data.newest ?? null;
            } else if (next.success) {
              abort.abort();
              onOrder(next.data);
            }
          });
          if (refused) return onRefused(refused);
        } catch {
          if (abort.signal.aborted) return;
        }
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    };
    void run();
    return () => abort.abort();
    // the callbacks only call the panel's state setters: a stale closure of them does the same
  }, [waiting, tokenVersion]);
}
