import { z } from 'zod';

/** Machine-readable error codes on every wire (REST body `code`, tRPC `data.appCode`). */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNKNOWN_MENU_ITEM',
  'INSUFFICIENT_STOCK',
  'IDEMPOTENCY_CONFLICT',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'METHOD_NOT_ALLOWED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorIssue = z.object({ path: z.string(), message: z.string() });
export type ErrorIssue = z.infer<typeof ErrorIssue>;

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.array(ErrorIssue).optional(),
  /** For INSUFFICIENT_STOCK: which item, and how many are left. */
  menuItemId: z.string().optional(),
  available: z.number().int().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Flattens zod issues into `{ path: "items.0.quantity", message }` pairs. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): ErrorIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
}

/** One readable sentence from validation issues: "items.0.quantity: Quantity must be at most 50; …". */
export function summarizeIssues(issues: readonly ErrorIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
