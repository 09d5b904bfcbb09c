import { sendJson, type RequestHandler } from '@pizza/infra';
import { buildAsyncApiDocument } from './asyncapi-document';

export const ASYNCAPI_PATH = '/api/v1/asyncapi.json';

/** `GET /api/v1/asyncapi.json`: the AsyncAPI document of the event streams (built once). */
export function createAsyncApiHandler(): { handler: RequestHandler; routeOf: (method: string, path: string) => string | null } {
  let json: string | null = null;
  return {
    handler(req, res, { path }) {
      if (path !== ASYNCAPI_PATH) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', message: `${ASYNCAPI_PATH} answers GET, HEAD` }, { allow: 'GET, HEAD' });
        return true;
      }
      json ??= JSON.stringify(buildAsyncApiDocument());
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : json);
      return true;
    },
    routeOf: (_method, path) => (path === ASYNCAPI_PATH ? ASYNCAPI_PATH : null),
  };
}
