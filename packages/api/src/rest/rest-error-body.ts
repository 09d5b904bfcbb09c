import type { ServerResponse } from 'node:http';
import { summarizeIssues, type ErrorBody } from '@pizza/contracts';
import type { AppErrorData } from '../trpc';

interface TrpcErrorShape {
  message?: string;
  code?: string | number;
  data?: Partial<AppErrorData>;
}

/** Maps the tRPC error shape that trpc-to-openapi writes to the API's ErrorBody. */
export function toErrorBody(shape: TrpcErrorShape): ErrorBody {
  const data = shape.data ?? {};
  // trpc-to-openapi replaces the message of input errors with a generic one; say what is wrong
  const message = data.issues?.length ? summarizeIssues(data.issues) : (shape.message ?? 'Request failed');
  return {
    code: data.appCode ?? String(shape.code ?? 'INTERNAL_ERROR'),
    message,
    ...(data.issues ? { issues: data.issues } : {}),
    ...(data.menuItemId !== undefined ? { menuItemId: data.menuItemId } : {}),
    ...(data.available !== undefined ? { available: data.available } : {}),
  };
}

/**
 * trpc-to-openapi renders errors in tRPC's shape (with its own `code`); clients of the REST API
 * get `{ code, message, issues? }` instead. Only error responses (≥ 400) are rewritten.
 */
export function rewriteErrorBodies(res: ServerResponse): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (res.statusCode >= 400 && typeof chunk === 'string') {
      try {
        const body = JSON.stringify(toErrorBody(JSON.parse(chunk) as TrpcErrorShape));
        if (!res.headersSent) res.setHeader('content-type', 'application/json; charset=utf-8');
        return end(body);
      } catch {
        return end(chunk);
      }
    }
    return end(chunk);
  }) as ServerResponse['end'];
}
