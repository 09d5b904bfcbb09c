import type { TrackingMessage } from '@pizza/contracts';
import { skipToken } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { trpc } from '@/lib/trpc';
import { useOnline } from './online-status';
import { newestMessage } from './timeline';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The last tracked event id seen per order, so a revisit resumes where it left off. */
const lastEventIds = new Map<string, string>();
const RESUBSCRIBE_AFTER_MS = 3_000;

/**
 * Follows `orders.track`. The socket reconnects by itself and resumes after the last event
 * (tRPC resends `lastEventId`); every push also refetches the order for exact times and courier.
 */
export function useOrderTracking(orderId: string, enabled: boolean) {
  const utils = trpc.useUtils();
  const online = useOnline();
  const [live, setLive] = useState<TrackingMessage | null>(null);
  // fixed for the life of this subscription: changing the input would resubscribe
  const [input] = useState(() => ({ orderId, lastEventId: lastEventIds.get(orderId) ?? null }));

  const subscription = trpc.orders.track.useSubscription(enabled ? input : skipToken, {
    onData: ({ id, data }) => {
      lastEventIds.set(orderId, id);
      setLive((current) => newestMessage(current, data));
      void utils.orders.byId.invalidate({ id: orderId });
    },
  });

  // a subscription that failed or was ended by the server (e.g. a restart) is opened again
  const { status, reset } = subscription;
  const ended = enabled && (status === 'error' || status === 'idle');
  useEffect(() => {
    if (!ended) return;
    const timer = setTimeout(reset, RESUBSCRIBE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [ended, reset]);

  const connection: ConnectionState = !online
    ? 'offline'
    : status === 'pending'
      ? 'live'
      : status === 'error'
        ? 'offline'
        : status === 'idle' || subscription.error
          ? 'reconnecting'
          : 'connecting';

  return { live, connection };
}
