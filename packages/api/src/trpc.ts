import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { describeIssues, summarizeIssues, type ErrorCode, type ErrorIssue, type HealthReport } from '@pizza/contracts';
import { StorageUnavailableError } from '@pizza/infra';
import { AppError, appCodeOf, toTRPCError } from './app-error';
import type { OrderService } from './order-service/order-service';
import type { StockFeed } from './notifications/menu-stock-feed';
import type { TrackingService } from './notifications/tracking-service';
import type { AdminContext } from './operations/admin-procedure';

/** What a procedure can reach. Each process provides the services it runs. */
export interface ApiContext {
  reqId: string;
  /** Present where the order service runs (HTTP). */
  orders?: OrderService;
  /** Present where the notifications service runs (WebSocket). */
  tracking?: TrackingService;
  /** Present where the notifications service runs (WebSocket): live menu stock. */
  stock?: StockFeed;
  /** The `Idempotency-Key` request header, if any. */
  idempotencyKey?: string;
  /** This process's dependency checks. */
  health?: () => Promise<HealthReport>;
  /** Present where the operations API runs (the order service's HTTP). */
  admin?: AdminContext;
}

export interface AppErrorData {
  appCode: ErrorCode;
  issues?: ErrorIssue[];
  menuItemId?: string;
  available?: number;
}

function isZodError(cause: unknown): cause is Error & { issues: { path: PropertyKey[]; message: string }[] } {
  return cause instanceof Error && cause.name === 'ZodError' && Array.isArray((cause as { issues?: unknown }).issues);
}

const t = initTRPC
  .context<ApiContext>()
  .meta<OpenApiMeta>()
  .create({
    isDev: false, // never send stack traces to clients
    // subscriptions over SSE may be quiet for minutes (a finished journey, no new order): a ping
    // comment every 15 s keeps proxies (NGINX's 60 s read timeout) from cutting them
    sse: { ping: { enabled: true, intervalMs: 15_000 } },
    errorFormatter({ shape, error }) {
      let app: AppErrorData;
      if (error.cause instanceof AppError) {
        app = { appCode: error.cause.code, ...error.cause.details };
      } else if (isZodError(error.cause)) {
        app = { appCode: 'VALIDATION_ERROR', issues: describeIssues(error.cause.issues) };
      } else {
        app = { appCode: appCodeOf(error.code, shape.data.httpStatus) };
      }
      const message =
        app.appCode === 'VALIDATION_ERROR' && app.issues?.length
          ? summarizeIssues(app.issues)
          : error.code === 'INTERNAL_SERVER_ERROR'
            ? 'Internal server error'
            : shape.message;
      return { ...shape, message, data: { ...shape.data, stack: undefined, ...app } };
    },
  });

/** Domain errors (AppError) become the tRPC error of their code instead of a 500; so does a store that is down (503). */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTRPCError(result.error.cause);
  if (!result.ok && result.error.cause instanceof StorageUnavailableError) {
    throw toTRPCError(new AppError('SERVICE_UNAVAILABLE', 'Storage is unavailable; please retry in a few seconds', {}, { cause: result.error.cause }));
  }
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapAppErrors);
