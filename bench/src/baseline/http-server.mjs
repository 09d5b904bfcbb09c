// The HTTP baseline: a bare node:http server answering with canned bytes, so that a scenario can
// compare the system with what this machine can do at all. Plain JavaScript, run by plain node
// (no loader), so that its start-up and memory are those of node itself.
//
// BASELINE_ROUTES = JSON { "GET /path": { status, headers, body } }. A route whose headers carry an
// `etag` answers 304 to a matching If-None-Match, as the real endpoint does.
import { createServer } from 'node:http';

/** @type {Record<string, { status: number; headers: Record<string, string>; body: string }>} */
const routes = JSON.parse(process.env.BASELINE_ROUTES ?? '{}');
routes['GET /api/v1/health'] ??= { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"status":"ok","checks":{}}' };

const prepared = new Map(
  Object.entries(routes).map(([key, route]) => {
    const body = Buffer.from(route.body);
    const headers = { ...route.headers, 'content-length': String(body.length) };
    const etag = route.headers.etag;
    const notModified = etag ? { etag, 'cache-control': route.headers['cache-control'] ?? 'no-cache' } : null;
    return [key, { status: route.status, headers, body, etag, notModified }];
  }),
);

const server = createServer((req, res) => {
  const route = prepared.get(`${req.method} ${req.url}`);
  if (!route) {
    res.writeHead(404, { 'content-length': '0' });
    res.end();
    return;
  }
  if (route.etag && req.headers['if-none-match'] === route.etag && route.notModified) {
    res.writeHead(304, route.notModified);
    res.end();
    return;
  }
  res.writeHead(route.status, route.headers);
  res.end(route.body);
});
server.keepAliveTimeout = 65_000; // as the real server
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
