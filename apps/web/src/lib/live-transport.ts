import { useSyncExternalStore } from 'react';

/**
 * How live updates reach this tab: WebSocket first; Server-Sent Events once WebSockets proved
 * blocked (e.g. by a proxy), for the rest of the visit.
 */
export type LiveTransport = 'websocket' | 'sse';

let transport: LiveTransport = 'websocket';
const listeners = new Set<() => void>();

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

export function useLiveTransport(): LiveTransport {
  return useSyncExternalStore(subscribe, () => transport, () => transport);
}

export function fallBackToSse(): void {
  if (transport === 'sse') return;
  transport = 'sse';
  for (const listener of listeners) listener();
}
