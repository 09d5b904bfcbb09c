import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, ServiceModule } from '@pizza/infra';

// a Map: an extension taken from a request path never reaches Object.prototype
const TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.json', 'application/json; charset=utf-8'],
  ['.webmanifest', 'application/manifest+json'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.woff2', 'font/woff2'],
]);
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.webmanifest']);
/** Precompressed copies the web build writes beside its files, in order of preference. */
const PRECOMPRESSED: [encoding: string, suffix: string][] = [
  ['br', '.br'],
  ['gzip', '.gz'],
];

/**
 * Serves the built SPA: hashed assets cached for a year; the build's brotli/gzip copies when the
 * client takes them (else gzip, compressed once and kept in memory); every other GET that is not
 * an API or socket path falls back to index.html (client-side routes).
 */
export function webStaticModule(dir: string): ServiceModule {
  const distDir = resolve(dir); // a relative or trailing-slash WEB_DIST_DIR must still contain its files
  // keyed by path and mtime: a rebuild while the server runs must not serve stale files
  const gzCache = new Map<string, { mtimeMs: number; body: Buffer }>();

  const sendFile = async (req: IncomingMessage, res: ServerResponse, file: string, cache: string) => {
    const ext = extname(file);
    const headers: Record<string, string> = { 'content-type': TYPES.get(ext) ?? 'application/octet-stream', 'cache-control': cache };
    const info = await stat(file);
    if (COMPRESSIBLE.has(ext)) {
      headers.vary = 'accept-encoding'; // the same URL answers differently per Accept-Encoding
      const accepted = acceptedEncodings(req.headers['accept-encoding']);
      // the build's own compressed copies (apps/web/precompress.ts), if they are from this build of the file
      for (const [encoding, suffix] of PRECOMPRESSED) {
        if (!accepted.has(encoding)) continue;
        const variant = await statFile(file + suffix);
        if (!variant || variant.mtimeMs < info.mtimeMs) continue;
        res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': String(variant.size) });
        if (req.method === 'HEAD') res.end();
        else pipeline(createReadStream(file + suffix), res, () => {});
        return;
      }
      if (accepted.has('gzip')) {
        let cached = gzCache.get(file);
        if (!cached || cached.mtimeMs !== info.mtimeMs) {
          cached = { mtimeMs: info.mtimeMs, body: gzipSync(await readFile(file)) };
          gzCache.set(file, cached);
        }
        const body = cached.body;
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
    }
    res.writeHead(200, { ...headers, 'content-length': String(info.size) });
    if (req.method === 'HEAD') res.end();
    else pipeline(createReadStream(file), res, () => {}); // a file removed by a rebuild mid-send only ends this response
  };

  const handler: RequestHandler = async (req, res, scope) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(scope.path);
    } catch {
      return false; // not a valid percent-encoding: no such file (404)
    }
    if (/^\/(api|ws)(\/|$)/.test(path) || path === '/metrics') return false;
    const file = normalize(join(distDir, path));
    if (file.startsWith(distDir + sep) && (await isFile(file))) {
      const immutable = path.startsWith('/assets/');
      await sendFile(req, res, file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
    if (extname(path) !== '') return false; // a missing asset is a 404, not the app shell
    const index = join(distDir, 'index.html');
    if (!(await isFile(index))) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web app is not built yet: run `pnpm build`.\n');
      return true;
    }
    await sendFile(req, res, index, 'no-cache');
    return true;
  };

  return {
    handlers: [handler],
    routeOf: (_method, path) => (path.startsWith('/assets/') ? '/assets/{file}' : path.startsWith('/api') || path.startsWith('/ws') ? null : '/{spa}'),
    async close() {},
  };
}

async function statFile(path: string): Promise<Stats | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info : null;
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await statFile(path)) !== null;
}

/** The content codings an Accept-Encoding header allows (`q=0` refuses one). */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  return accepted;
}
