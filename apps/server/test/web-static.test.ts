import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings } from '../src/web-static';
import { startProcess, type AppProcess } from './app-process';

// The web process (apps/server/src/web.ts: the same static module the all-in-one process mounts)
// over a build output of our own: brotli and gzip copies beside the files, as apps/web's build writes them.
const dist = mkdtempSync(join(tmpdir(), 'pizza-web-dist-'));
const script = `export const answer = ${JSON.stringify('forty-two '.repeat(200))};\n`;
const page = '<!doctype html><title>Pizza Express</title><div id="root"></div>\n';
let app: AppProcess;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), page);
  writeFileSync(join(dist, 'index.html.gz'), gzipSync(page));
  writeFileSync(join(dist, 'assets/app-3f2a1b.js'), script);
  writeFileSync(join(dist, 'assets/app-3f2a1b.js.br'), brotliCompressSync(script));
  writeFileSync(join(dist, 'assets/app-3f2a1b.js.gz'), gzipSync(script));
  // a copy older than its file (left over from an earlier build) must not be sent
  writeFileSync(join(dist, 'assets/stale-9c8d7e.js'), script);
  writeFileSync(join(dist, 'assets/stale-9c8d7e.js.br'), brotliCompressSync('export const answer = "stale";\n'));
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(join(dist, 'assets/stale-9c8d7e.js.br'), past, past);
  app = await startProcess('apps/server/src/web.ts', { WEB_DIST_DIR: dist });
});
afterAll(async () => {
  await app?.kill();
});

function raw(path: string, acceptEncoding?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = get(`${app.url}${path}`, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('precompressed assets', () => {
  it('sends the build’s brotli copy to a client that takes br, with Vary and a year of immutable caching', async () => {
    const res = await raw('/assets/app-3f2a1b.js', 'gzip, deflate, br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toBe('accept-encoding');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(brotliDecompressSync(res.body).toString()).toBe(script);
  });

  it('sends the gzip copy when brotli is not accepted (absent or q=0)', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip']) {
      const res = await raw('/assets/app-3f2a1b.js', accept);
      expect(res.headers['content-encoding'], accept).toBe('gzip');
      expect(res.headers.vary).toBe('accept-encoding');
      expect(gunzipSync(res.body).toString()).toBe(script);
    }
  });

  it('sends the file as it is to a client that takes no compression, still with Vary', async () => {
    const res = await raw('/assets/app-3f2a1b.js');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBe('accept-encoding');
    expect(res.body.toString()).toBe(script);
  });

  it('never sends a copy older than its file', async () => {
    const res = await raw('/assets/stale-9c8d7e.js', 'br, gzip');
    expect(res.headers['content-encoding']).toBe('gzip'); // compressed from the file itself
    expect(gunzipSync(res.body).toString()).toBe(script);
  });

  it('answers HEAD with the headers of the copy and no body', async () => {
    const res = await new Promise<{ headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = get(`${app.url}/assets/app-3f2a1b.js`, { method: 'HEAD', headers: { 'accept-encoding': 'br' } }, (r) => {
        r.resume();
        r.on('end', () => resolve({ headers: r.headers }));
      });
      req.on('error', reject);
    });
    expect(res.headers['content-encoding']).toBe('br');
    expect(Number(res.headers['content-length'])).toBe(brotliCompressSync(script).length);
  });

  it('serves the app page (and a client route) from its gzip copy, never cached without revalidation', async () => {
    for (const path of ['/', '/orders/3f2a1b']) {
      const res = await raw(path, 'br, gzip');
      expect(res.headers['content-encoding'], path).toBe('gzip');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(gunzipSync(res.body).toString()).toBe(page);
    }
  });
});

describe('acceptedEncodings', () => {
  it('reads the codings of an Accept-Encoding header, dropping those refused with q=0', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('BR;q=0.5, gzip;q=0, identity')]).toEqual(['br', 'identity']);
    expect([...acceptedEncodings('br;q=0.0')]).toEqual([]);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
  });
});
