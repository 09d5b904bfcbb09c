// The web image's server block (docker/web/default.conf) under a real NGINX (Debian's binary): the
// same file, only its port and root pointed at a free port and a build output of our own.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, freePort, readText, requireTool, startNginx, type RunningNginx } from './lib';

const prefix = mkdtempSync(join(tmpdir(), 'pizza-web-nginx-'));
const html = join(prefix, 'html');
const script = `export const answer = ${JSON.stringify('forty-two '.repeat(200))};\n`;
const page = '<!doctype html><title>Pizza Express</title><div id="root"></div>\n';
let port: number;
let nginx: RunningNginx;

beforeAll(async () => {
  const bin = requireTool('nginx');
  port = await freePort();
  mkdirSync(join(html, 'assets'), { recursive: true });
  chmodSync(prefix, 0o755); // started as root, nginx's workers read the files as an unprivileged user
  writeFileSync(join(html, 'index.html'), page);
  writeFileSync(join(html, 'index.html.gz'), gzipSync(page));
  writeFileSync(join(html, 'assets/app-3f2a1b.js'), script);
  writeFileSync(join(html, 'assets/app-3f2a1b.js.gz'), gzipSync(script));
  const server = readText(docker('web', 'default.conf'))
    .replace(/listen 3000;/, `listen 127.0.0.1:${port};`)
    .replace(/root \/usr\/share\/nginx\/html;/, `root ${html};`);
  expect(server).toContain(`listen 127.0.0.1:${port};`);
  expect(server).toContain(`root ${html};`);
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes 1;\nerror_log stderr warn;\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  client_body_temp_path client_temp;\n  proxy_temp_path proxy_temp;\n  fastcgi_temp_path fastcgi_temp;\n  uwsgi_temp_path uwsgi_temp;\n  scgi_temp_path scgi_temp;\n${server}\n}\n`,
  );
  const args = ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr', '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`];
  nginx = await startNginx(bin, args, `http://127.0.0.1:${port}/index.html`);
});
afterAll(async () => {
  await nginx?.stop();
  rmSync(prefix, { recursive: true, force: true });
});

function raw(path: string, acceptEncoding?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('the web image serves the build’s gzip copies', () => {
  it('sends an asset’s .gz copy to a client that takes gzip, with Vary and a year of immutable caching', async () => {
    const res = await raw('/assets/app-3f2a1b.js', 'gzip, br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gunzipSync(res.body).toString()).toBe(script);
  });

  it('sends the file as it is to a client that takes no compression', async () => {
    const res = await raw('/assets/app-3f2a1b.js');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe(script);
  });

  it('answers a client route with the app page from its .gz copy; a missing asset is a 404', async () => {
    const res = await raw('/orders/3f2a1b', 'gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).toString()).toBe(page);
    expect((await raw('/assets/missing-000000.js', 'gzip')).status).toBe(404);
  });
});
