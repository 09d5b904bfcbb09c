// The edge config under a real NGINX (Debian's binary), pointed at stub servers on loopback:
// the same nginx.conf + template as compose, rendered by render.mjs with 127.0.0.1 addresses.
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { nginxArgs, renderNginx } from '../nginx/render.mjs';
import { docker, freePort, requireTool, run, startNginx, type RunningNginx } from './lib';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

/** A stub upstream: records requests, answers JSON naming itself (web: a large HTML page). */
async function stub(name: string, options: { upstreamHeaders?: Record<string, string> } = {}) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => (bodyBytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes });
      for (const [k, v] of Object.entries(options.upstreamHeaders ?? {})) res.setHeader(k, v);
      if (name === 'web' && req.url === '/assets/big.js') {
        res.setHeader('Content-Type', 'application/javascript');
        res.end(Buffer.alloc(3 * 1024 * 1024, 0x61)); // larger than the proxy buffers: goes via proxy_temp
        return;
      }
      if (name === 'web') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(
          `<!doctype html><html><body>${'<p>pizza</p>'.repeat(400)}<!-- web ${req.url} --></body></html>`,
        );
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ who: name, method: req.method, url: req.url, bodyBytes }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return { name, server, port, seen, addr: `127.0.0.1:${port}` };
}

type Stub = Awaited<ReturnType<typeof stub>>;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

/** A raw HTTP request (no automatic decompression, so Content-Encoding is visible). */
function http(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, raw, body: raw.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(options.body));
    req.end(options.body);
  });
}

function expectSecurityHeaders(r: Reply) {
  expect(r.headers['content-security-policy']).toBeTruthy();
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['x-frame-options']).toBe('DENY');
  expect(r.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(r.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
}

describe('edge NGINX (nginx.conf + default.conf.template)', () => {
  let nginxBin: string;
  let prefix: string;
  let port: number;
  let nginx: RunningNginx | undefined;
  let api: Stub, web: Stub, prometheus: Stub, grafana: Stub;
  let wsHttp: Server;
  let wss: WebSocketServer;
  const wsUpgradeHeaders: IncomingHttpHeaders[] = [];
  const sseStreams: ServerResponse[] = [];

  beforeAll(async () => {
    nginxBin = requireTool('nginx');
    api = await stub('api', { upstreamHeaders: { 'X-Frame-Options': 'SAMEORIGIN', 'X-Powered-By': 'stub' } });
    web = await stub('web');
    prometheus = await stub('prometheus');
    grafana = await stub('grafana');
    // the notifications stub also streams SSE: one event at once, a second only when asked
    wsHttp = createServer((req, res) => {
      if (!req.url?.endsWith('/events')) return res.end('not a websocket');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: 1\nevent: status\ndata: ${JSON.stringify({ path: req.url, lastEventId: req.headers['last-event-id'] ?? null })}\n\n`);
      sseStreams.push(res);
    });
    wss = new WebSocketServer({ server: wsHttp });
    wss.on('connection', (socket, req) => {
      wsUpgradeHeaders.push(req.headers);
      socket.send(JSON.stringify({ type: 'hello', path: req.url }));
      socket.on('message', (data) => socket.send(`echo:${data.toString()}`));
    });
    wsHttp.listen(0, '127.0.0.1');
    await once(wsHttp, 'listening');
    const wsPort = (wsHttp.address() as { port: number }).port;

    port = await freePort();
    prefix = mkdtempSync(join(tmpdir(), 'pizza-nginx-'));
    renderNginx(prefix, {
      NGINX_LISTEN: `127.0.0.1:${port}`,
      ORDER_SERVICE_ADDR: api.addr,
      NOTIFICATIONS_ADDR: `127.0.0.1:${wsPort}`,
      WEB_ADDR: web.addr,
      PROMETHEUS_ADDR: prometheus.addr,
      GRAFANA_ADDR: grafana.addr,
      // A slow refill (compose: 10r/s) keeps the rate-limit test deterministic on a busy machine.
      ORDER_CREATE_RATE: '6r/m',
      ORDER_CREATE_BURST: '20',
    });
    nginx = await startNginx(nginxBin, nginxArgs(prefix), `http://127.0.0.1:${port}/healthz`);
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const s of [api, web, prometheus, grafana]) s?.server.close();
    wss?.close();
    wsHttp?.close();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
  });

  it('nginx -t accepts the rendered config', () => {
    const r = run(nginxBin, nginxArgs(prefix, { test: true }));
    expect(r.stderr).toMatch(/syntax is ok/);
    expect(r.stderr).toMatch(/test is successful/);
    expect(r.code, r.output).toBe(0);
  });

  it('/healthz answers from nginx itself', async () => {
    const r = await http(port, '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok\n');
  });

  it('/api/... reaches the order service with request id, forwarding headers and host', async () => {
    const r = await http(port, '/api/v1/x?y=1', {
      headers: { Host: 'pizza.test:8080', 'X-Forwarded-For': '6.6.6.6' },
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ who: 'api', method: 'GET', url: '/api/v1/x?y=1' });
    const seen = api.seen.at(-1)!;
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.headers['x-request-id']).toBe(r.headers['x-request-id']);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('pizza.test:8080');
    expect(seen.headers.host).toBe('pizza.test:8080');
    expectSecurityHeaders(r);
    // the edge owns the security headers: the upstream's copies are dropped
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });

  it('admin routes (REST, tRPC, tRPC in a batch) without an Authorization header are answered 401 by the edge, never forwarded', async () => {
    const before = api.seen.length;
    const paths = ['/api/v1/admin', '/api/v1/admin/pipeline', '/api/v1/admin/dead-letters/1-0/redrive', '/api/v1//admin/pipeline', '/api/v1/%61dmin/pipeline', '/api/v1/ADMIN/pipeline', '/api/v1/Admin/faults', '/api/v1/%41dmin/load', '/api/trpc/admin.pipelineSnapshot', '/api/trpc/menu.list,admin.setStock?batch=1', '/api/trpc/admin%2EsetStock'];
    for (const path of paths) {
      const r = await http(port, path, { method: path.includes('redrive') ? 'POST' : 'GET' });
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body), path).toMatchObject({ code: 'UNAUTHORIZED' });
      expectSecurityHeaders(r);
    }
    expect(api.seen.length).toBe(before);
  });

  it('admin routes with an Authorization header reach the order service with it (the service checks the token)', async () => {
    for (const path of ['/api/v1/admin/pipeline', '/api/trpc/admin.pipelineSnapshot']) {
      const r = await http(port, path, { headers: { Authorization: 'Bearer t0ken' } });
      expect(r.status, path).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ who: 'api', url: path });
      expect(api.seen.at(-1)!.headers.authorization).toBe('Bearer t0ken');
    }
    // not admin: untouched
    expect((await http(port, '/api/v1/administered')).status).toBe(200);
    expect((await http(port, '/api/trpc/menu.list')).status).toBe(200);
  });

  it('/api/docs and its assets reach the order service, with a CSP Swagger UI runs under', async () => {
    for (const path of ['/api/docs', '/api/docs/swagger-ui-bundle.js', '/api/v1/openapi.json']) {
      const r = await http(port, path);
      expect(r.status, path).toBe(200);
      expect(JSON.parse(r.body).url).toBe(path);
    }
    const csp = (await http(port, '/api/docs')).headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self';"); // the docs page loads init.js, no inline script
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
  });

  it('/ and client-side routes reach web, gzipped, with the strict app CSP', async () => {
    for (const path of ['/', '/orders/3f1c', '/menu']) {
      const r = await http(port, path, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(r.status, path).toBe(200);
      expect(r.headers['content-encoding'], path).toBe('gzip');
      expect(web.seen.at(-1)!.url).toBe(path);
      expectSecurityHeaders(r);
      const csp = r.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-eval/);
    }
  });

  it('a large upstream response (spooled to the prefix temp dir) arrives whole', async () => {
    // A client that does not read for a while makes nginx spool the upstream's answer to disk.
    const length = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/assets/big.js', agent: false }, (res) => {
        res.pause();
        setTimeout(() => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
          res.resume();
        }, 500);
      });
      req.on('error', reject);
      req.end();
    });
    expect(length).toBe(3 * 1024 * 1024);
    expect(nginx!.stderr()).not.toMatch(/proxy_temp.*failed/);
  });

  it('JSON from the API is gzipped when large enough', async () => {
    const r = await http(port, `/api/v1/menu?pad=${'x'.repeat(1500)}`, {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers.vary).toMatch(/Accept-Encoding/);
  });

  it('/prometheus/ serves GET with the prefix stripped and refuses POST with 403', async () => {
    const get = await http(port, '/prometheus/api/v1/query?query=up');
    expect(get.status).toBe(200);
    expect(JSON.parse(get.body)).toMatchObject({ who: 'prometheus', url: '/api/v1/query?query=up' });
    const before = prometheus.seen.length;
    const post = await http(port, '/prometheus/api/v1/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'query=up',
    });
    expect(post.status).toBe(403);
    expectSecurityHeaders(post);
    expect(prometheus.seen.length).toBe(before);
    const del = await http(port, '/prometheus/api/v1/admin/tsdb/delete_series', { method: 'DELETE' });
    expect(del.status).toBe(403);
    expect((await http(port, '/prometheus')).headers.location).toMatch(/\/prometheus\/$/);
  });

  it('/grafana/ reaches Grafana with its sub path kept', async () => {
    const r = await http(port, '/grafana/api/health');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ who: 'grafana', url: '/grafana/api/health' });
    expect((await http(port, '/grafana')).status).toBe(301);
  });

  it('a body over 64 KiB gets 413 with a JSON error; 64 KiB exactly passes', async () => {
    const ok = await http(port, '/api/v1/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.alloc(64 * 1024, 0x20),
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).bodyBytes).toBe(64 * 1024);
    const apiCalls = api.seen.length;
    for (const path of ['/api/v1/echo', '/api/v1/orders']) {
      const tooLarge = await http(port, path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.alloc(64 * 1024 + 1, 0x20),
      });
      expect(tooLarge.status, path).toBe(413);
      expect(tooLarge.headers['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(tooLarge.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expectSecurityHeaders(tooLarge);
    }
    expect(api.seen.length).toBe(apiCalls);
  });

  it('WebSocket upgrade works through /ws/ to the notifications service', async () => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${port}/ws/v1/order-tracking/0b7e2c1a-1111-4222-8333-444455556666`,
    );
    const messages: string[] = [];
    socket.on('message', (d) => messages.push(d.toString()));
    await once(socket, 'open');
    await expect.poll(() => messages.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(messages[0]!)).toEqual({
      type: 'hello',
      path: '/ws/v1/order-tracking/0b7e2c1a-1111-4222-8333-444455556666',
    });
    socket.send('ping');
    await expect.poll(() => messages).toContain('echo:ping');
    expect(wsUpgradeHeaders.at(-1)!['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    socket.close();
    await once(socket, 'close');
  });

  it('/api/v1/orders/{id}/events reaches the notifications service unbuffered, Last-Event-ID kept', async () => {
    const path = '/api/v1/orders/0b7e2c1a-1111-4222-8333-444455556666/events';
    const chunks: string[] = [];
    const req = request({ host: '127.0.0.1', port, path, headers: { 'last-event-id': 'abc', accept: 'text/event-stream' }, agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    res.setEncoding('utf8');
    res.on('data', (c: string) => chunks.push(c));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    // the first event arrives while the upstream keeps the stream open: nothing is buffered
    await expect.poll(() => chunks.join(''), { timeout: 10_000 }).toContain(`"lastEventId":"abc"`);
    expect(chunks.join('')).toContain(`"path":"${path}"`);
    sseStreams.at(-1)!.write('id: 2\nevent: status\ndata: {}\n\n');
    await expect.poll(() => chunks.join(''), { timeout: 10_000 }).toContain('id: 2');
    expect(api.seen.some((s) => s.url === path)).toBe(false);
    sseStreams.at(-1)!.end();
    await once(res, 'end');
  });

  it('answers a request it cannot read (bad request line, NUL in the path, two Host headers, no Host, a broken chunked body under /api/) with a JSON 400, never forwarded', async () => {
    const seenByApi = api.seen.length;
    /** Sends `request` as is and resolves with the whole reply once the edge closes. */
    const send = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = createConnection({ host: '127.0.0.1', port });
        let reply = '';
        const deadline = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no reply within 10 s to ${JSON.stringify(request)}`));
        }, 10_000);
        socket.on('connect', () => socket.write(request));
        socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
        socket.on('error', () => {});
        socket.on('close', () => {
          clearTimeout(deadline);
          resolve(reply);
        });
      });
    for (const request of [
      'GET /api/v1/%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /api/v1/menu x y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'NOT-HTTP\r\n\r\n',
      'GET /api/v1/menu HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n',
      'GET /api/v1/menu HTTP/1.1\r\nConnection: close\r\n\r\n',
      // inside /api/ and /api/trpc/, whose locations have error pages of their own (PUT: a POST would
      // spend the order budget the last test needs)
      'PUT /api/v1/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'PUT /api/trpc/orders.create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    ]) {
      const reply = await send(request);
      const [head = '', body = ''] = reply.split('\r\n\r\n');
      expect(head, request).toMatch(/^HTTP\/1\.1 400 /);
      expect(head.toLowerCase(), request).toContain('content-type: application/json');
      expect(JSON.parse(body), request).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('not valid HTTP') });
    }
    expect(api.seen.length).toBe(seenByApi);
  });

  it('cuts off a client whose headers or body trickle in (client_header_timeout, client_body_timeout: 10 s)', async () => {
    const seenByApi = api.seen.length;
    /** Writes `parts` one per second, then stalls; resolves with what came back and when the edge closed. */
    const trickle = (parts: string[]) =>
      new Promise<{ reply: string; closedAfterMs: number }>((resolve, reject) => {
        const started = Date.now();
        const socket = createConnection({ host: '127.0.0.1', port });
        let reply = '';
        const timers = parts.map((part, i) => setTimeout(() => socket.write(part), i * 1000));
        const deadline = setTimeout(() => {
          socket.destroy();
          reject(new Error(`still open after 60 s; got ${JSON.stringify(reply)}`));
        }, 60_000);
        socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
        socket.on('error', () => {}); // a reset is also a cut-off
        socket.on('close', () => {
          timers.forEach(clearTimeout);
          clearTimeout(deadline);
          resolve({ reply, closedAfterMs: Date.now() - started });
        });
      });
    const [headers, body] = await Promise.all([
      trickle(['GET /api/v1/menu HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n']),
      // PUT: not counted against the order limit the last test spends
      trickle(['PUT /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cus', 'tomer"']),
    ]);
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(9_000);
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(9_000);
    expect(body.reply === '' || body.reply.startsWith('HTTP/1.1 408')).toBe(true);
    expect(api.seen.length).toBe(seenByApi); // nothing half-sent reached the service
  }, 90_000);

  // Last: it spends the order-creation budget of 127.0.0.1.
  it('a burst of order POSTs gets 429 with a JSON body; GETs of orders are never limited', async () => {
    const gets = await Promise.all(Array.from({ length: 60 }, (_, i) => http(port, `/api/v1/orders/o-${i}`)));
    expect(gets.every((r) => r.status === 200)).toBe(true);

    const body = JSON.stringify({ customer: { name: 'A', phone: '1', address: 'x' }, items: [] });
    const posts = await Promise.all(
      Array.from({ length: 60 }, () =>
        http(port, '/api/v1/orders', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        }),
      ),
    );
    const statuses = posts.map((r) => r.status);
    const limited = posts.filter((r) => r.status === 429);
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThanOrEqual(20); // the burst is served at once (nodelay)…
    expect(served).toBeLessThanOrEqual(22); // …and little more at 6 r/min
    expect(limited.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const first = limited[0]!;
    expect(first.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(first.body)).toMatchObject({ code: 'RATE_LIMITED', message: expect.any(String) });
    expect(first.headers['retry-after']).toBe('1');
    expectSecurityHeaders(first);

    // Every spelling of the order path the app accepts meets the same limit; the upper-case one is
    // not an API path at all (it goes to web).
    const seenByApi = api.seen.length;
    for (const path of ['/api/v1/orders/', '//api/v1/orders', '/api/./v1/orders', '/api/v1/x/../orders', '/api/v1/%6Frders', '/api/v1/orders?x=1', '/api/v1/orders%2F']) {
      const res = await http(port, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(res.status, path).toBe(429);
    }
    expect((await http(port, '/API/v1/orders', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).body).toContain('<!-- web /API/v1/orders');
    expect(api.seen.length).toBe(seenByApi);

    // tRPC mutations share the budget; tRPC queries (GET) do not count.
    expect((await http(port, '/api/trpc/orders.create', { method: 'POST', body: '{}' })).status).toBe(429);
    // an admin call in the batch (with any Authorization) does not carry an order past the limit
    const batch = await http(port, '/api/trpc/admin.setStock,orders.create?batch=1', { method: 'POST', headers: { Authorization: 'Bearer x' }, body: '{}' });
    expect(batch.status).toBe(429);
    expect((await http(port, '/api/trpc/menu.list')).status).toBe(200);
    expect((await http(port, '/api/v1/orders/o-1')).status).toBe(200);
  });
});

describe('web image server (docker/web/default.conf)', () => {
  let nginxBin: string;
  let dir: string;
  let port: number;
  let nginx: RunningNginx | undefined;

  beforeAll(async () => {
    nginxBin = requireTool('nginx');
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'pizza-web-'));
    chmodSync(dir, 0o755);
    const html = join(dir, 'html');
    mkdirSync(join(html, 'assets'), { recursive: true });
    writeFileSync(
      join(html, 'index.html'),
      '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>',
    );
    writeFileSync(join(html, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(join(html, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // The image's conf.d/default.conf, with the root and port of this run.
    const server = readFileSync(docker('web', 'default.conf'), 'utf8')
      .replace('listen 3000;', `listen 127.0.0.1:${port};`)
      .replace('root /usr/share/nginx/html;', `root ${html};`);
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'default.conf'), server);
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        'events { worker_connections 64; }',
        'http {',
        '  types { text/html html; application/javascript js; image/svg+xml svg; }',
        '  default_type application/octet-stream;',
        '  client_body_temp_path client_temp; proxy_temp_path proxy_temp; fastcgi_temp_path fastcgi_temp;',
        '  uwsgi_temp_path uwsgi_temp; scgi_temp_path scgi_temp;',
        '  access_log off;',
        '  include conf.d/default.conf;',
        '}',
        '',
      ].join('\n'),
    );
    nginx = await startNginx(nginxBin, nginxArgs(dir), `http://127.0.0.1:${port}/`);
  });

  afterAll(async () => {
    await nginx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html for / and for client-side routes, not cached', async () => {
    for (const path of ['/', '/orders/0b7e2c1a-1111-4222-8333-444455556666', '/cart', '/dev']) {
      const r = await http(port, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.body).toContain('<div id="root">');
      if (path !== '/') expect(r.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable and a missing asset as 404 (not the app shell)', async () => {
    const js = await http(port, '/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await http(port, '/assets/gone-000.js')).status).toBe(404);
    expect((await http(port, '/favicon.svg')).headers['content-type']).toMatch(/svg/);
  });
});
