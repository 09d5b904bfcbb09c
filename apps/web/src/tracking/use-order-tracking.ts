import type { TrackingMessage } from '@pizza/contracts';
import { skipToken } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { trpc } from '@/lib/trpc';
import { fallBackToSse, useLiveTransport } from '@/lib/live-transport';
import { useOnline } from './online-status';
import { newestMessage } from './timeline';
import { useOrderEventSource, type EventSourceState } from './use-order-event-source';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The last tracked event id seen per order, so a revisit (or a switch of transport) resumes where it left off. */
const lastEventIds = new Map<string, string>();
const RESUBSCRIBE_AFTER_MS = 3_000;
const SSE_CONNECTION: Record<EventSourceState, ConnectionState> = { connecting: 'connecting', live: 'live', reconnecting: 'reconnecting', closed: 'offline' };
/** The server sends the current state at once: a WebSocket that brings nothing this long is taken as blocked. */
const SOCKET_FALLBACK_AFTER_MS = 4_000;

/**
 * Follows an order live: `orders.track` over WebSocket, or Server-Sent Events when WebSockets are
 * blocked. Both resume after the last event; every push also refetches the order for exact times and courier.
 */
export function useOrderTracking(orderId: string, enabled: boolean) {
  const utils = trpc.useUtils();
  const online = useOnline();
  const transport = useLiveTransport();
  const [live, setLive] = useState<TrackingMessage | null>(null);
  const onStatus = useCallback(
    (eventId: string, message: TrackingMessage) => {
      lastEventIds.set(orderId, eventId);
      setLive((current) => newestMessage(current, message));
      void utils.orders.byId.invalidate({ id: orderId });
    },
    [orderId, utils],
  );

  // fixed for the life of this subscription: changing the input would resubscribe
  const [input] = useState(() => ({ orderId, lastEventId: lastEventIds.get(orderId) ?? null }));
  const overSocket = enabled && transport === 'websocket';
  const subscription = trpc.orders.track.useSubscription(overSocket ? input : skipToken, {
    onData: ({ id, data }) => onStatus(id, data),
  });
  const sse = useOrderEventSource(orderId, enabled && transport === 'sse', () => lastEventIds.get(orderId) ?? null, onStatus);

  // a socket that brings nothing (not even the current state) is blocked somewhere: use SSE
  const heard = live !== null;
  useEffect(() => {
    if (!overSocket || heard || !online) return;
    const timer = setTimeout(fallBackToSse, SOCKET_FALLBACK_AFTER_MS);
    return () => clearTimeout(timer);
  }, [overSocket, heard, online]);

  // a subscription that failed or was ended by the server (e.g. a restart) is opened again
  const { status, reset } = subscription;
  const ended = overSocket && (status === 'error' || status === 'idle');
  useEffect(() => {
    if (!ended) return;
    const timer = setTimeout(reset, RESUBSCRIBE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [ended, reset]);

  const connection: ConnectionState = !online
    ? 'offline'
    : transport === 'sse'
      ? SSE_CONNECTION[sse]
      : status === 'pending'
        ? 'live'
        : status === 'error'
          ? 'offline'
          : status === 'idle' || subscription.error
            ? 'reconnecting'
            : 'connecting';

  return { live, connection, transport };
}
