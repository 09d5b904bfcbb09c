import type { TrackingMessage } from '@pizza/contracts';
import { skipToken } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { trpc } from '@/lib/trpc';
import { useOnline } from './online-status';
import { newestMessage } from './timeline';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The last tracked event id seen per order, so a revisit resumes where it left off. */
const lastEventIds = new Map<string, string>();
const RESUBSCRIBE_AFTER_ERROR_MS = 3_000;

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

  // a subscription that ended in an error (e.g. the server restarted mid-handshake) is retried
  const { status, reset } = subscription;
  useEffect(() => {
    if (status !== 'error') return;
    const timer = setTimeout(reset, RESUBSCRIBE_AFTER_ERROR_MS);
    return () => clearTimeout(timer);
  }, [status, reset]);

  const connection: ConnectionState = !online
    ? 'offline'
    : status === 'pending'
      ? 'live'
      : status === 'error'
        ? 'offline'
        : subscription.error
          ? 'reconnecting'
          : 'connecting';

  return { live, connection };
}
