import type { QueryClientConfig } from '@tanstack/react-query';
import { TRPCClientError } from '@trpc/client';

/** 4xx answers are final (retrying will not change them); network trouble and 5xx get two more tries. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (error instanceof TRPCClientError) {
    const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
    if (status !== undefined && status >= 400 && status < 500) return false;
  }
  return true;
}

export function createQueryClientOptions(): QueryClientConfig {
  return {
    defaultOptions: {
      queries: { staleTime: 10_000, retry: shouldRetry, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  };
}
