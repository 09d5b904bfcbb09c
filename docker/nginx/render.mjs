#!/usr/bin/env node
// Renders the edge NGINX config into a self-contained prefix directory, the way the nginx image
// does at container start (envsubst of templates/*.template into conf.d/), so that the SAME
// nginx.conf runs in compose and on a developer's or CI's machine with Debian's nginx.
//
//   node docker/nginx/render.mjs <dir>     render from the environment (defaults below) and print
//                                          the nginx command line that serves it
//
//   import { renderNginx, nginxArgs } from './render.mjs'   (tests)
//
// Only `${UPPER_CASE}` references are substituted; nginx's own `$lower_case` variables are left
// alone. Unlike envsubst, an unset variable is an error, not an empty string.
// No dependencies: node >= 20.

import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NGINX_DIR = dirname(fileURLToPath(import.meta.url));
export const TEMPLATES_DIR = join(NGINX_DIR, 'templates');
export const MAIN_CONF = join(NGINX_DIR, 'nginx.conf');

/** Defaults for the variables a local run rarely changes. The service addresses have none. */
export const DEFAULTS = Object.freeze({
  NGINX_LISTEN: '80',
  NGINX_ACCESS_LOG: 'logs/access.log',
  NGINX_RESOLVER: '127.0.0.11',
  UPSTREAM_RESOLVE: '',
  ORDER_CREATE_RATE: '10r/s',
  ORDER_CREATE_BURST: '20',
});

/** Every variable the templates use; compose must set each one for the nginx service. */
export const TEMPLATE_VARIABLES = Object.freeze([
  'NGINX_LISTEN',
  'NGINX_ACCESS_LOG',
  'NGINX_RESOLVER',
  'UPSTREAM_RESOLVE',
  'ORDER_SERVICE_ADDR',
  'NOTIFICATIONS_ADDR',
  'WEB_ADDR',
  'PROMETHEUS_ADDR',
  'GRAFANA_ADDR',
  'ORDER_CREATE_RATE',
  'ORDER_CREATE_BURST',
]);

const REFERENCE = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/** The `${NAME}` references in a template, in order of first use. */
export function templateVariables(text) {
  return [...new Set([...text.matchAll(REFERENCE)].map((m) => m[1]))];
}

/** Substitutes `${NAME}` from env; throws naming every variable that is not set. */
export function renderTemplate(text, env) {
  const missing = templateVariables(text).filter((name) => env[name] === undefined);
  if (missing.length > 0) throw new Error(`nginx template: variables not set: ${missing.join(', ')}`);
  return text.replace(REFERENCE, (_, name) => env[name]);
}

/**
 * Writes <prefix>/nginx.conf (a copy of docker/nginx/nginx.conf), <prefix>/conf.d/*.conf
 * (rendered templates) and <prefix>/logs/ (the default access log goes there). Returns the paths and the arguments that run nginx in the foreground.
 * env: variables for the templates, on top of DEFAULTS (process.env is NOT read here).
 */
export function renderNginx(prefix, env = {}) {
  const dir = resolve(prefix);
  const values = { ...DEFAULTS, ...env };
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  // Started as root, nginx's workers run as nobody and write proxy temp files under the prefix.
  chmodSync(dir, 0o755);
  const confPath = join(dir, 'nginx.conf');
  copyFileSync(MAIN_CONF, confPath);
  const rendered = [];
  for (const name of readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith('.template'))
    .sort()) {
    const out = join(dir, 'conf.d', name.slice(0, -'.template'.length));
    writeFileSync(out, renderTemplate(readFileSync(join(TEMPLATES_DIR, name), 'utf8'), values));
    rendered.push(out);
  }
  return { prefix: dir, confPath, rendered, args: nginxArgs(dir) };
}

/** nginx arguments for a foreground run from a rendered prefix (pid file inside it). */
export function nginxArgs(prefix, { test = false } = {}) {
  const dir = resolve(prefix);
  const args = ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'];
  if (test) args.push('-t');
  args.push('-g', `daemon off; pid ${join(dir, 'nginx.pid')};`);
  return args;
}

function main(argv) {
  const prefix = argv[0];
  if (!prefix || prefix === '-h' || prefix === '--help') {
    process.stderr.write(
      'usage: node docker/nginx/render.mjs <prefix-dir>\n' +
        `variables: ${TEMPLATE_VARIABLES.join(' ')}\n` +
        `defaults: ${Object.entries(DEFAULTS)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ')}\n` +
        'example: NGINX_LISTEN=127.0.0.1:8080 ORDER_SERVICE_ADDR=127.0.0.1:8003 NOTIFICATIONS_ADDR=127.0.0.1:8002 \\\n' +
        '         WEB_ADDR=127.0.0.1:3000 PROMETHEUS_ADDR=127.0.0.1:9090 GRAFANA_ADDR=127.0.0.1:3001 \\\n' +
        '         node docker/nginx/render.mjs /tmp/pizza-nginx\n',
    );
    return prefix ? 0 : 2;
  }
  const env = Object.fromEntries(
    TEMPLATE_VARIABLES.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]),
  );
  const { args } = renderNginx(prefix, env);
  const quoted = args.map((a) => (/[\s;'"]/.test(a) ? `'${a}'` : a));
  process.stdout.write(`nginx ${quoted.join(' ')}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
