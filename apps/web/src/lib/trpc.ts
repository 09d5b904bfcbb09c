import { createWSClient, httpBatchLink, httpLink, splitLink, wsLink, type TRPCClientErrorLike } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
// Type-only: the web bundle never contains server code.
import type { AppRouter } from '@pizza/api/router';
import { sameOriginSocketUrl } from './socket-url';

export const trpc = createTRPCReact<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type ApiError = TRPCClientErrorLike<AppRouter>;

const TRPC_HTTP_URL = '/api/trpc';
/** Same value as `TRPC_SOCKET_PATH` in contracts; kept literal so the app shell does not load zod. */
const TRPC_SOCKET_PATH = '/ws/v1/trpc';

/** Set per call through tRPC's operation context: `{ context: { idempotencyKey } }`. */
export interface IdempotentCallContext {
  idempotencyKey?: string;
  [key: string]: unknown;
}

function idempotencyHeaders(context: IdempotentCallContext): Record<string, string> {
  return typeof context.idempotencyKey === 'string' ? { 'Idempotency-Key': context.idempotencyKey } : {};
}

export function createTrpcClient() {
  const socket = createWSClient({
    url: () => sameOriginSocketUrl(TRPC_SOCKET_PATH),
    // 0.5 s, 1 s, 2 s … capped at 10 s, with jitter so a restarted server is not stampeded
    retryDelayMs: (attempt) => Math.min(10_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5),
    // the socket opens with the first subscription and closes when none is left
    lazy: { enabled: true, closeMs: 5_000 },
    // the server drops clients silent for 60 s; a ping every 20 s also notices a dead link quickly
    keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 5_000 },
  });

  return trpc.createClient({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink({ client: socket }),
        false: splitLink({
          // mutations go alone, each with its own headers (Idempotency-Key)
          condition: (op) => op.type === 'mutation',
          true: httpLink({ url: TRPC_HTTP_URL, headers: ({ op }) => idempotencyHeaders(op.context) }),
          false: httpBatchLink({ url: TRPC_HTTP_URL, maxURLLength: 2_000 }),
        }),
      }),
    ],
  });
}
