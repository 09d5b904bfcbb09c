import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger';
import { observeSeconds, type Metrics } from '../metrics';
import type { Tracing } from '../tracing/tracing';
import { checkHealth, type HealthProbe } from './health';
import { sendJson } from './json-body';

export interface RequestScope {
  reqId: string;
  /** A child logger with `reqId` (made on first use: most requests never log). */
  readonly log: Logger;
  /** The request target parsed (on first use); `path` is its pathname. */
  readonly url: URL;
  readonly path: string;
}

/** Handles a request and returns true, or returns false to let the next handler try. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, scope: RequestScope) => boolean | Promise<boolean>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export interface ServiceServerOptions {
  service: string;
  logger: Logger;
  metrics: Metrics;
  /** Dependencies named in `/api/v1/health` (e.g. storage, bus). */
  probes: Record<string, HealthProbe>;
  /** Tried in order after health and metrics. */
  handlers: RequestHandler[];
  upgrades?: UpgradeHandler[];
  /** Null or absent when tracing is off. */
  tracing?: Tracing | null;
  /** Maps a raw path to its route template for metric labels. */
  routeOf: (method: string, path: string) => string;
  /** Slow clients: all headers within `headersMs`, the whole request within `requestMs` (else 408, connection closed). */
  timeouts?: { headersMs: number; requestMs: number };
}

const HEALTH_ROUTES = new Set(['/api/v1/health', '/api/v1/health/readiness', '/api/v1/health/liveness']);

/** The health route a path names (a trailing slash allowed), or null. */
function healthRoute(path: string): string | null {
  const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return HEALTH_ROUTES.has(bare) ? bare : null;
}

/** A path WHATWG URL parsing returns unchanged: no dot segments, nothing to encode, not `//host`. */
const PLAIN_PATH = /^\/(?!\/)[\w\-~!$&'()*+,;=:@/%]*$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e)/i;

/** The pathname `new URL(target, base)` would give, without parsing the usual plain targets. */
export function pathnameOf(target: string): string {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) return path;
  return new URL(target, 'http://localhost').pathname;
}

/** A raw response for a connection node gave up on before any handler ran: its head, and its head and body. */
function rawError(status: string, code: string, message: string): { head: string; full: string } {
  const body = JSON.stringify({ code, message });
  const head = `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return { head, full: head + body };
}
const BAD_REQUEST = rawError('400 Bad Request', 'VALIDATION_ERROR', 'The request is not valid HTTP');
const REQUEST_TIMEOUT = rawError('408 Request Timeout', 'REQUEST_TIMEOUT', 'The request did not arrive in time');

/** The per-request scope; the logger and the parsed URL cost something and are made only when used. */
class Scope implements RequestScope {
  private child: Logger | undefined;
  private parsed: URL | undefined;
  constructor(
    readonly reqId: string,
    readonly path: string,
    private readonly target: string,
    private readonly logger: Logger,
  ) {}
  get log(): Logger {
    return (this.child ??= this.logger.child({ reqId: this.reqId }));
  }
  get url(): URL {
    return (this.parsed ??= new URL(this.target, 'http://localhost'));
  }
}

/**
 * The HTTP server every service runs: request ids, HTTP metrics on route templates, health,
 * `/metrics`, then the service's own handlers; JSON 404 and 500 (no stack traces) otherwise.
 */
export function createServiceServer(options: ServiceServerOptions): Server {
  const { logger, metrics, service } = options;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const reqIdHeader = req.headers['x-request-id'];
    const reqId = typeof reqIdHeader === 'string' && /^[\w-]{1,128}$/.test(reqIdHeader) ? reqIdHeader : randomUUID();
    res.setHeader('x-request-id', reqId);
    const target = req.url ?? '/';
    const method = req.method ?? 'GET';
    let path: string;
    try {
      path = pathnameOf(target);
    } catch {
      sendJson(res, 400, { code: 'VALIDATION_ERROR', message: 'The request target is not a valid path' });
      return;
    }
    const health = healthRoute(path);

    if ((path === '/metrics' || health) && method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${path} answers GET only` }, { allow: 'GET, HEAD' });
      return;
    }
    if (path === '/metrics') {
      try {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      } catch (error) {
        logger.error({ err: error }, 'metrics collection failed');
        if (!res.headersSent) sendJson(res, 500, { code: 'INTERNAL_ERROR', message: 'Internal server error' });
      }
      return; // scrapes are not counted
    }

    const route = health ?? options.routeOf(method, path);
    options.tracing?.nameRoute(method, route);
    const exemplar = options.tracing?.exemplar();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ method, route, status_code: String(res.statusCode) });
      observeSeconds(metrics, metrics.httpDuration, { method, route }, seconds, exemplar);
    });

    const scope = new Scope(reqId, path, target, logger);
    try {
      if (health) {
        if (health === '/api/v1/health/liveness') {
          sendJson(res, 200, { status: 'ok', service, checks: {} });
          return;
        }
        const report = await checkHealth(service, options.probes, logger);
        sendJson(res, report.status === 'ok' ? 200 : 503, report);
        return;
      }
      for (const handler of options.handlers) {
        // a handler that declines synchronously costs no await (most requests pass several)
        const handled = handler(req, res, scope);
        if (handled === true || (handled !== false && (await handled))) return;
      }
      sendJson(res, 404, { code: 'NOT_FOUND', message: `No route for ${method} ${path}` });
    } catch (error) {
      scope.log.error({ err: error, method, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { code: 'INTERNAL_ERROR', message: 'Internal server error' });
      else res.destroy();
    }
  };

  const timeouts = options.timeouts ?? { headersMs: 10_000, requestMs: 30_000 };
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // how often node looks for requests past those timeouts (its default, 30 s, would let them run that long)
      connectionsCheckingInterval: Math.max(250, Math.min(1000, timeouts.headersMs / 4)),
    },
    (req, res) => {
      void (options.tracing ? options.tracing.serve(req, res, () => handle(req, res)) : handle(req, res));
    },
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      for (const upgrade of options.upgrades ?? []) {
        if (upgrade(req, socket, head)) return;
      }
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } catch (error) {
      // e.g. a request target no URL parser accepts: refuse this client, keep the process
      logger.warn({ err: error, url: req.url }, 'upgrade refused');
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // a response already under way on this socket (e.g. a 405 sent before its body was read, whose
    // leftover bytes then failed to parse) must not be followed by a second one: just close
    const current = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (current?.headersSent) return void socket.destroy();
    if (!socket.writable) return;
    // a request past headersTimeout/requestTimeout (a slow client) is a 408; anything else node cannot parse, a 400
    const answer = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? REQUEST_TIMEOUT : BAD_REQUEST;
    // the answer to a HEAD has no body (a client reads none, and would take one as garbage)
    const raw = (error as { rawPacket?: Buffer }).rawPacket;
    socket.end(raw?.subarray(0, 5).toString('latin1') === 'HEAD ' ? answer.head : answer.full);
  });
  server.keepAliveTimeout = 65_000; // longer than NGINX's upstream keepalive
  return server;
}

/** Listens and resolves with the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stops accepting, ends idle keep-alive sockets, waits for in-flight requests (bounded). */
export function closeServer(server: Server, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
