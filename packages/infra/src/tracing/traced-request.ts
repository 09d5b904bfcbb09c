import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { withOwner } from './span-owner';
import type { TraceKit } from './trace-kit';

/** Scrapes and probes run every few seconds: tracing them would bury the traces that matter. */
const UNTRACED = /^\/(metrics|api\/v1\/health)(\/|\?|$)/;

/**
 * The HTTP server span, a child of the request's `traceparent` when it carries a valid one (a
 * malformed one starts a new trace), ended when the response is done or the client went away.
 * Named `{METHOD}` until the server knows the route template (`nameRoute`).
 */
export function serveTraced(kit: TraceKit, req: IncomingMessage, res: ServerResponse, run: () => Promise<void>): Promise<void> {
  const target = req.url ?? '/';
  if (UNTRACED.test(target)) return run();
  const method = req.method ?? 'GET';
  const parent = withOwner(kit.extract(req.headers), target.startsWith('/ws/') ? 'notifications' : 'order-service');
  const span = kit.start(method, SpanKind.SERVER, parent, (attributes) => {
    attributes['http.request.method'] = method;
    const query = target.indexOf('?');
    attributes['url.path'] = query === -1 ? target : target.slice(0, query);
  });
  res.once('close', () => {
    if (span.isRecording()) {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.addEvent('aborted');
    }
    span.end();
  });
  return context.with(trace.setSpan(parent, span), run);
}

/** `{METHOD} {route template}` — never a raw id; requests no route matched keep the bare method. */
export function nameRoute(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording() || route === 'unmatched') return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}
