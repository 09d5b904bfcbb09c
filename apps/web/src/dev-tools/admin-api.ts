import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@pizza/api/router';
import { adminToken } from './pipeline-feed';

/**
 * The control room's calls: the `admin.*` procedures over plain HTTP (one request each, so the
 * edge sees the procedure name), with the tab's admin token when one was given.
 */
export const adminApi = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: '/api/trpc',
      headers: () => {
        const token = adminToken.get();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    }),
  ],
}).admin;

/**
 * Stops the load run through its REST route: over tRPC HTTP a mutation without input sends an
 * empty body, which the server cannot read as JSON.
 */
export async function stopLoadRun(): Promise<void> {
  const token = adminToken.get();
  const res = await fetch('/api/v1/admin/load', { method: 'DELETE', headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new Error(`HTTP ${res.status}: ${body?.message ?? res.statusText}`);
  }
}

/** The HTTP status of a failed admin call: from the API's error, or from the edge's own answer (NGINX 401). */
export function statusOf(error: unknown): number | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { httpStatus?: unknown } | undefined;
  if (typeof data?.httpStatus === 'number') return data.httpStatus;
  const response = (error.meta as { response?: { status?: unknown } } | undefined)?.response;
  return typeof response?.status === 'number' ? response.status : null;
}

/** 401 or 403: the page asks for the admin token. */
export const isRefused = (error: unknown) => {
  const status = statusOf(error);
  return status === 401 || status === 403;
};

/** One line for the operator: the API's message (it names the field on a 400), with the status. */
export function describeFailure(error: unknown): string {
  const status = statusOf(error);
  const edge = error instanceof TRPCClientError ? (error.meta as { responseJSON?: { message?: unknown } } | undefined)?.responseJSON : undefined;
  const message = typeof edge?.message === 'string' ? edge.message : error instanceof Error ? error.message : String(error);
  return status ? `HTTP ${status}: ${message}` : message;
}

/** Query keys of the control room; all start with `admin` so a new token refreshes them all. */
export const adminKeys = {
  all: ['admin'] as const,
  faults: (token: string | null) => ['admin', 'faults', token] as const,
  deadLetters: (token: string | null, filter: object, deadLetters: number | null) => ['admin', 'dead-letters', token, filter, deadLetters] as const,
  load: (token: string | null) => ['admin', 'load', token] as const,
};
