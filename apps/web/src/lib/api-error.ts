import type { ErrorCode, ErrorIssue } from '@pizza/contracts';
import { TRPCClientError } from '@trpc/client';

/** What the UI needs to know about a failed call (tRPC error `data` carries the app's error body). */
export interface ApiFailure {
  /** null when the server was not reached or answered something that is not the API (proxy error page). */
  appCode: ErrorCode | null;
  message: string;
  issues: ErrorIssue[];
  menuItemId?: string;
  available?: number;
}

interface AppErrorData {
  appCode?: ErrorCode;
  issues?: ErrorIssue[];
  menuItemId?: string;
  available?: number;
}

export function readApiError(error: unknown): ApiFailure {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? undefined) as AppErrorData | undefined;
    if (data?.appCode) {
      return {
        appCode: data.appCode,
        message: error.message,
        issues: data.issues ?? [],
        ...(data.menuItemId !== undefined ? { menuItemId: data.menuItemId } : {}),
        ...(data.available !== undefined ? { available: data.available } : {}),
      };
    }
  }
  return {
    appCode: null,
    message: 'We could not reach the kitchen. Check your connection and try again — you will not be charged twice.',
    issues: [],
  };
}
