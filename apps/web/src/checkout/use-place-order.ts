import type { CreateOrderInput } from '@pizza/contracts';
import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { readApiError } from '@/lib/api-error';
import { trpc, type IdempotentCallContext } from '@/lib/trpc';
import { attemptFor, loadAttempt, newIdempotencyKey, saveAttempt, type CheckoutAttempt } from './checkout-attempt';

/**
 * `orders.create` with an Idempotency-Key per checkout attempt: a double click, an automatic
 * retry after a lost connection, or a resubmit after reload all carry the same key, so the
 * server places the order once.
 */
export function usePlaceOrder() {
  const utils = trpc.useUtils();
  const attempt = useRef<CheckoutAttempt | null>(null);

  return useMutation({
    mutationKey: ['orders.create'],
    mutationFn: (input: CreateOrderInput) => {
      attempt.current = attemptFor(attempt.current ?? loadAttempt(), JSON.stringify(input), newIdempotencyKey);
      saveAttempt(attempt.current);
      const context: IdempotentCallContext = { idempotencyKey: attempt.current.key };
      return utils.client.orders.create.mutate(input, { context });
    },
    // only when the server was not reached: the same key makes the retry safe
    retry: (failureCount, error) => failureCount < 2 && readApiError(error).appCode === null,
    retryDelay: (failureCount) => 600 * 2 ** failureCount,
    onSuccess: (order) => {
      attempt.current = null;
      saveAttempt(null);
      utils.orders.byId.setData({ id: order.id }, order); // the tracking page opens with it at once
      void utils.menu.list.invalidate();
    },
    onError: (error) => {
      const { appCode } = readApiError(error);
      if (appCode === 'INSUFFICIENT_STOCK' || appCode === 'UNKNOWN_MENU_ITEM') void utils.menu.list.invalidate();
    },
  });
}
