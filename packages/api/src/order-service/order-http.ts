import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import { MAX_BODY_BYTES, type HealthReport } from '@pizza/contracts';
import { BodyError, readJsonBody, sendError, sendJson, type RequestHandler, type RequestScope } from '@pizza/infra';
import { appRouter } from '../router';
import { buildOpenApiDocument } from '../rest/openapi-document';
import { rewriteErrorBodies } from '../rest/rest-error-body';
import { serveApiDocs } from '../rest/api-docs';
import { createOrderFastPath } from './create-order-fast-path';
import { canonicalPath } from './canonical-path';
import { createMenuFastPath } from './menu-fast-path';
import { errorHeaders } from '../app-error';
import type { ApiContext } from '../trpc';
import type { OrderService } from './order-service';
import { checkAdminAccess } from '../operations/admin-auth';
import type { Operations } from '../operations/operations';

export interface OrderHttpOptions {
  orders: OrderService;
  health: () => Promise<HealthReport>;
  /** The operations API and ADMIN_TOKEN (unset: loopback clients only). */
  operations?: Operations;
  adminToken?: string;
}

const REST_PREFIX = '/api/v1';
const TRPC_PREFIX = '/api/trpc/';

/**
 * The order service's routes: the template labels metrics (never raw paths: ids would explode
 * cardinality); `method` is what a REST route answers (HEAD goes with GET), others get 405.
 */
const ROUTES: { pattern: RegExp; template: string; method?: string }[] = [
  { pattern: /^\/api\/v1\/menu\/?$/, template: '/api/v1/menu', method: 'GET' },
  { pattern: /^\/api\/v1\/menu\/[^/]+$/, template: '/api/v1/menu/{id}', method: 'GET' },
  { pattern: /^\/api\/v1\/orders\/?$/, template: '/api/v1/orders', method: 'POST' },
  { pattern: /^\/api\/v1\/orders\/[^/]+$/, template: '/api/v1/orders/{id}', method: 'GET' },
  { pattern: /^\/api\/v1\/openapi\.json$/, template: '/api/v1/openapi.json', method: 'GET' },
  { pattern: /^\/api\/docs(\/.*)?$/, template: '/api/docs' },
  { pattern: /^\/api\/v1\/admin\/pipeline$/, template: '/api/v1/admin/pipeline', method: 'GET' },
  { pattern: /^\/api\/v1\/admin\/dead-letters$/, template: '/api/v1/admin/dead-letters', method: 'GET' },
  { pattern: /^\/api\/v1\/admin\/dead-letters\/redrive$/, template: '/api/v1/admin/dead-letters/redrive', method: 'POST' },
  { pattern: /^\/api\/v1\/admin\/dead-letters\/[^/]+\/redrive$/, template: '/api/v1/admin/dead-letters/{id}/redrive', method: 'POST' },
  { pattern: /^\/api\/v1\/admin\/dead-letters\/[^/]+$/, template: '/api/v1/admin/dead-letters/{id}', method: 'DELETE' },
  { pattern: /^\/api\/v1\/admin\/orders\/[^/]+\/journey$/, template: '/api/v1/admin/orders/{id}/journey', method: 'GET' },
  { pattern: /^\/api\/v1\/admin\/menu\/[^/]+\/stock$/, template: '/api/v1/admin/menu/{id}/stock', method: 'PUT' },
  { pattern: /^\/api\/v1\/admin\/load$/, template: '/api/v1/admin/load' },
  { pattern: /^\/api\/v1\/admin\/faults$/, template: '/api/v1/admin/faults', method: 'GET' },
  { pattern: /^\/api\/v1\/admin\/faults\/[^/]+$/, template: '/api/v1/admin/faults/{name}' },
];
const PROCEDURES = new Set(['menu.list', 'menu.byId', 'orders.create', 'orders.byId', 'health',
  'admin.pipelineSnapshot', 'admin.listDeadLetters', 'admin.redriveDeadLetter', 'admin.discardDeadLetter', 'admin.setStock',
  'admin.listFaults', 'admin.setFault', 'admin.clearFault', 'admin.pipeline',
  'admin.startLoad', 'admin.loadRun', 'admin.stopLoad', 'admin.orderJourney', 'admin.journey', 'admin.journeyStarts',
  'admin.redriveDeadLetters']);

/** Procedures whose REST success is not 200. */
const STATUS_OF: Record<string, number> = {
  'orders.create': 201,
  'admin.startLoad': 202,
  'admin.discardDeadLetter': 204,
  'admin.clearFault': 204,
  'admin.stopLoad': 204,
};

function methodNotAllowed(res: ServerResponse, allow: string, path: string): true {
  const allowed = allow === 'GET' ? 'GET, HEAD' : allow;
  sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${path} answers ${allowed}` }, { allow: allowed });
  return true;
}

/** Answers 415 (and returns true) unless the body is declared as JSON; ours, not the adapters' (tRPC's is text/plain). */
function refuseNonJson(req: IncomingMessage, res: ServerResponse): boolean {
  const contentType = String(req.headers['content-type'] ?? '');
  if (/^application\/json\s*(;|$)/i.test(contentType)) return false;
  req.resume();
  sendError(res, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: `Send the body as application/json (Content-Type was ${contentType ? `"${contentType}"` : 'missing'})` });
  return true;
}

function queryRecord(params: URLSearchParams): Record<string, string[]> {
  const record = Object.create(null) as Record<string, string[]>;
  for (const [key, value] of params) (record[key] ??= []).push(value);
  return record;
}

export function orderRouteOf(_method: string, path: string): string | null {
  const route = ROUTES.find(({ pattern }) => pattern.test(path));
  if (route) return route.template;
  if (path.startsWith(TRPC_PREFIX)) {
    const name = path.slice(TRPC_PREFIX.length);
    return PROCEDURES.has(name) ? `${TRPC_PREFIX}${name}` : name.includes(',') ? `${TRPC_PREFIX}{batch}` : `${TRPC_PREFIX}{unknown}`;
  }
  return null;
}

/** `/api/v1/*` (REST via trpc-to-openapi), `/api/trpc/*` (tRPC over HTTP), `/api/docs`. */
export function createOrderHttpHandler(options: OrderHttpOptions): RequestHandler {
  const { orders, health, operations, adminToken } = options;
  const scopes = new WeakMap<IncomingMessage, RequestScope>();
  const createContext = ({ req }: { req: IncomingMessage }): ApiContext => {
    const scope = scopes.get(req)!;
    const key = req.headers['idempotency-key'];
    return {
      reqId: scope.reqId,
      orders,
      health,
      ...(operations ? { admin: { operations, caller: checkAdminAccess(adminToken, req) } } : {}),
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
    };
  };

  const rest = createOpenApiNodeHttpHandler({ router: appRouter, createContext, maxBodySize: MAX_BODY_BYTES,
    responseMeta: ({ paths, errors }) => {
      if (errors.length > 0) return { headers: errorHeaders(getHTTPStatusCodeFromError(errors[0]!)) };
      const status = paths?.[0] ? STATUS_OF[paths[0]] : undefined;
      return status ? { status } : {};
    },
    onError: ({ error, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') scopes.get(req)?.log.error({ err: error.cause ?? error }, 'REST procedure failed');
    },
  });
  const trpc = createHTTPHandler({ router: appRouter, createContext, basePath: TRPC_PREFIX, maxBodySize: MAX_BODY_BYTES,
    // tRPC answers some errors (content type, method) as text/plain; the body is JSON, so say so
    responseMeta: ({ errors }) =>
      errors.length > 0
        ? { headers: { 'content-type': 'application/json', ...errorHeaders(Math.max(...errors.map(getHTTPStatusCodeFromError))) } }
        : {},
    onError: ({ error, req }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') scopes.get(req)?.log.error({ err: error.cause ?? error }, 'tRPC procedure failed');
    },
  });
  const menu = createMenuFastPath(orders);
  const createOrder = createOrderFastPath(orders);
  let openApiJson: string | null = null;

  // the hottest read: served from the serialized snapshot (REST with ETag, and tRPC menu.list),
  // without a promise while the snapshot is fresh
  const handler = (req: IncomingMessage, res: ServerResponse, scope: RequestScope): boolean | Promise<boolean> => {
    const menuRead = menu.readOf(req, scope.path);
    if (menuRead && menu.serveNow(menuRead, req, res)) return true;
    return handle(req, res, scope, menuRead);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, scope: RequestScope, menuRead: ReturnType<typeof menu.readOf>) => {
    let path = scope.path;
    const method = req.method ?? 'GET';
    if (menuRead && (await menu.serve(menuRead, req, res))) return true;
    if (path.startsWith('/api/docs')) {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET', path);
      return serveApiDocs(path, res);
    }
    if (path.startsWith(TRPC_PREFIX)) {
      // queries are GETs, mutations POSTs: anything else is refused here, not failed inside tRPC
      if (method !== 'GET' && method !== 'POST') return methodNotAllowed(res, 'GET, POST', path);
      // no streamed (JSON Lines) answers: the app's links do not ask for them, and their errors
      // would leave as text/plain instead of a JSON error body
      delete req.headers['trpc-accept'];
      if (method === 'GET') delete req.headers['content-type']; // a query has no body to describe
      if (method === 'POST' && refuseNonJson(req, res)) {
        if (path === `${TRPC_PREFIX}orders.create`) orders.recordRejection('validation');
        return true;
      }
      scopes.set(req, scope);
      trpc(req, res);
      return true;
    }
    // REST reads path parameters from the path as written: give it one spelling (margherit%61 = margherita)
    path = canonicalPath(path);
    if (!path.startsWith(`${REST_PREFIX}/`)) return false;

    const route = ROUTES.find(({ pattern }) => pattern.test(path));
    const allowed = route?.method;
    if (allowed && method !== allowed && !(method === 'HEAD' && allowed === 'GET')) return methodNotAllowed(res, allowed, path);
    // HEAD is a GET whose body node leaves out; the adapter only knows GET
    if (method === 'HEAD') req.method = 'GET';

    if (path === `${REST_PREFIX}/openapi.json`) {
      openApiJson ??= JSON.stringify(buildOpenApiDocument());
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(openApiJson);
      return true;
    }

    const isOrder = method === 'POST' && route?.template === `${REST_PREFIX}/orders`;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      if (refuseNonJson(req, res)) {
        if (isOrder) orders.recordRejection('validation');
        return true;
      }
      let body: unknown;
      try {
        // read here, not by the adapter: our own 413/400 bodies, and `application/json; charset=…` accepted
        body = await readJsonBody(req);
      } catch (error) {
        if (error instanceof BodyError) {
          if (isOrder) orders.recordRejection(error.status === 413 ? 'too_large' : 'validation');
          sendError(res, error.status, error.body);
          return true;
        }
        throw error;
      }
      req.headers['content-type'] = 'application/json'; // the adapter compares it literally
      if (isOrder && (await createOrder(req, res, body, scope.reqId))) return true;
      (req as IncomingMessage & { body?: unknown }).body = body;
    }
    scopes.set(req, scope);
    rewriteErrorBodies(res);
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    req.url = path.slice(REST_PREFIX.length) + (query === -1 ? '' : target.slice(query));
    // the adapter collects query parameters into a plain object (`?__proto__=1` or `?constructor=`
    // reached Object.prototype: a 500); given one without a prototype, it uses that instead
    (req as IncomingMessage & { query?: unknown }).query = queryRecord(scope.url.searchParams);
    await rest(req, res);
    return true;
  };
  return handler;
}

