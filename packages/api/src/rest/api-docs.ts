import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));

/** A Map, not an object literal: a name from the URL must never reach Object.prototype (`/api/docs/constructor`). */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['swagger-ui-standalone-preset.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Pizza Express API</title>
  <link rel="icon" href="/api/docs/favicon-32x32.png" />
  <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
`;

// A separate file, not an inline script, so a strict Content-Security-Policy allows it.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null, // no badge from an outside validator: the docs make no outside requests
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** Serves the interactive API docs (Swagger UI from the npm package, no CDN) under /api/docs. */
export async function serveApiDocs(path: string, res: ServerResponse): Promise<boolean> {
  if (path === '/api/docs' || path === '/api/docs/') return send(res, 200, 'text/html; charset=utf-8', PAGE);
  if (path === '/api/docs/init.js') return send(res, 200, 'text/javascript; charset=utf-8', INIT);
  const name = path.slice('/api/docs/'.length);
  const type = ASSETS.get(name);
  if (!path.startsWith('/api/docs/') || !type) return false;
  const body = await readFile(join(swaggerDir, name));
  return send(res, 200, type, body, 'public, max-age=86400');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = 'no-cache'): true {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': cache });
  res.end(body);
  return true;
}
