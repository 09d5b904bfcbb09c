import type { TrackingMessage } from '@pizza/contracts';
import { useEffect, useRef, useState } from 'react';

export type EventSourceState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Same route as `orderEventsPath` in contracts; kept literal so the tracking chunk does not need it. */
const eventsPath = (orderId: string, resumeAfter: string | null) =>
  `/api/v1/orders/${encodeURIComponent(orderId)}/events${resumeAfter ? `?lastEventId=${encodeURIComponent(resumeAfter)}` : ''}`;

/**
 * Follows an order over Server-Sent Events, starting after `resumeAfter` (a tracked event id). The
 * browser reconnects by itself and sends `Last-Event-ID`, so the server resumes without gaps.
 */
export function useOrderEventSource(
  orderId: string,
  enabled: boolean,
  resumeAfter: () => string | null,
  onStatus: (eventId: string, message: TrackingMessage) => void,
): EventSourceState {
  const [state, setState] = useState<EventSourceState>('connecting');
  const handlers = useRef({ resumeAfter, onStatus });
  handlers.current = { resumeAfter, onStatus };

  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(eventsPath(orderId, handlers.current.resumeAfter()));
    setState('connecting');
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    source.addEventListener('status', (event: MessageEvent<string>) => {
      setState('live');
      handlers.current.onStatus(event.lastEventId, JSON.parse(event.data) as TrackingMessage);
    });
    return () => source.close();
  }, [orderId, enabled]);

  return state;
}
