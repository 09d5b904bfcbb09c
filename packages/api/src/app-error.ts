import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { ErrorCode, ErrorIssue } from '@pizza/contracts';

/** A domain failure with its wire code; mapped once to a tRPC (and so HTTP) code below. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { issues?: ErrorIssue[]; menuItemId?: string; available?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

const TRPC_CODE: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION_ERROR: 'BAD_REQUEST',
  UNKNOWN_MENU_ITEM: 'BAD_REQUEST',
  INSUFFICIENT_STOCK: 'BAD_REQUEST',
  IDEMPOTENCY_CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_SUPPORTED',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_SERVER_ERROR',
};

/** The app code of an error tRPC raised itself (unknown procedure, bad method, body too large …). */
export function appCodeOf(code: TRPC_ERROR_CODE_KEY, httpStatus: number): ErrorCode {
  const match = (Object.entries(TRPC_CODE) as [ErrorCode, TRPC_ERROR_CODE_KEY][]).find(([, trpc]) => trpc === code);
  if (match) return match[0];
  return httpStatus >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR';
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}

/** Seconds a client is asked to wait (Retry-After) before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** The headers an error answer carries besides its body: Retry-After on 503. */
export function errorHeaders(status: number): Record<string, string> {
  return status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
}
