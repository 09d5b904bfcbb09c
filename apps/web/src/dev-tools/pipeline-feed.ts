import { PipelineSnapshot } from '@pizza/contracts';
import { useEffect, useState, useSyncExternalStore } from 'react';

export const PIPELINE_FEED_PATH = '/api/trpc/admin.pipeline';
const TOKEN_KEY = 'pizza-admin-token';

export type PipelineFeed =
  | { kind: 'connecting' }
  | { kind: 'live'; snapshot: PipelineSnapshot }
  /** 401/403: the page asks for the admin token. */
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'down'; error: string };

/** Splits an SSE buffer into complete events (`event`, `data`), leaving the incomplete rest. */
export function readSseEvents(buffer: string): { events: { event: string; data: string }[]; rest: string } {
  const parts = buffer.split('\n\n');
  const rest = parts.pop() ?? '';
  const events = parts.map((part) => {
    const lines = part.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    return { event, data };
  });
  return { events, rest };
}

/** An admin call refused: 401 (no token) or 403 (a wrong one). */
export type Refused = { status: number; message: string };

const TOKEN_CHANGED = 'pizza-admin-token-changed';

/** The admin token, kept for this tab's session only; every admin view of the page follows a change. */
export const adminToken = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => {
    sessionStorage.setItem(TOKEN_KEY, token);
    window.dispatchEvent(new Event(TOKEN_CHANGED));
  },
  subscribe: (onChange: () => void) => {
    window.addEventListener(TOKEN_CHANGED, onChange);
    return () => window.removeEventListener(TOKEN_CHANGED, onChange);
  },
};

/** The admin token now (null when none was given); re-renders when it changes. */
export const useAdminToken = () => useSyncExternalStore(adminToken.subscribe, adminToken.get);

/**
 * Reads one tRPC subscription over SSE until it ends: `onData` gets each value's JSON; 401/403
 * (as a status or as the stream's error event) resolve as refused; other failures throw.
 */
export async function readAdminSubscription(url: string, signal: AbortSignal, onData: (value: unknown) => void): Promise<Refused | null> {
  const token = adminToken.get();
  const res = await fetch(url, { signal, headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  if (res.status === 401 || res.status === 403) return { status: res.status, message: await res.text() };
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    const { events, rest } = readSseEvents(buffer + value);
    buffer = rest;
    for (const { event, data } of events) {
      if (event === 'serialized-error') {
        const error = JSON.parse(data) as { message: string; data?: { httpStatus?: number } };
        const status = error.data?.httpStatus ?? 500;
        if (status === 401 || status === 403) return { status, message: error.message };
        throw new Error(error.message);
      }
      if (data && event === 'message') onData(JSON.parse(data));
    }
  }
}

/** The live pipeline (tRPC subscription `admin.pipeline` over SSE), reconnecting after a drop. */
export function usePipelineFeed(tokenVersion: number): PipelineFeed {
  const [feed, setFeed] = useState<PipelineFeed>({ kind: 'connecting' });
  const token = useAdminToken();
  useEffect(() => {
    const abort = new AbortController();
    const run = async () => {
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        try {
          const refused = await readAdminSubscription(PIPELINE_FEED_PATH, abort.signal, (value) => {
            const parsed = PipelineSnapshot.safeParse(value);
            if (!parsed.success) return;
            attempt = 0;
            setFeed({ kind: 'live', snapshot: parsed.data });
          });
          if (refused) return setFeed({ kind: 'refused', ...refused });
        } catch (error) {
          if (abort.signal.aborted) return;
          setFeed({ kind: 'down', error: error instanceof Error ? error.message : String(error) });
        }
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** attempt)));
      }
    };
    void run();
    return () => abort.abort();
  }, [tokenVersion, token]);
  return feed;
}
