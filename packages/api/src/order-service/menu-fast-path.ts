import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MenuSnapshot } from './menu-cache';
import type { OrderService } from './order-service';

const REST_MENU = '/api/v1/menu';
const TRPC_MENU_LIST = '/api/trpc/menu.list';
/** The query strings `@trpc/client` sends for `menu.list` alone: httpLink, and httpBatchLink (void input). */
const TRPC_QUERIES = new Map([
  ['', 'single'],
  ['batch=1&input=%7B%7D', 'batch'],
] as const);

type MenuRead = 'rest' | 'single' | 'batch';

/** The menu as each transport sends it, encoded once per snapshot. */
interface EncodedMenu {
  rest: Buffer;
  /** `{"result":{"data":…}}`, byte for byte what tRPC's HTTP adapter writes. */
  single: Buffer;
  /** `[{"result":{"data":…}}]`, the batched form. */
  batch: Buffer;
}

/**
 * The hottest read, served from the serialized snapshot without the tRPC and OpenAPI adapters:
 * `GET /api/v1/menu` (with ETag revalidation) and `GET /api/trpc/menu.list` as the web app asks
 * for it (every open menu page polls it). Anything else, e.g. a batch with other procedures or a
 * streaming (`trpc-accept`) request, is left to the adapters.
 */
export function createMenuFastPath(orders: OrderService) {
  const encodings = new WeakMap<MenuSnapshot, EncodedMenu>();
  const encode = (menu: MenuSnapshot): EncodedMenu => {
    let encoded = encodings.get(menu);
    if (!encoded) {
      encoded = {
        rest: Buffer.from(menu.json),
        single: Buffer.from(`{"result":{"data":${menu.json}}}`),
        batch: Buffer.from(`[{"result":{"data":${menu.json}}}]`),
      };
      encodings.set(menu, encoded);
    }
    return encoded;
  };

  /** Which of the reads above a request is, or null (decided without awaiting anything). */
  const readOf = (req: IncomingMessage, path: string): MenuRead | null => {
    if (req.method !== 'GET') return null;
    if (path === REST_MENU) return 'rest';
    if (path !== TRPC_MENU_LIST || req.headers['trpc-accept'] !== undefined) return null;
    const target = req.url ?? '';
    const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
    return TRPC_QUERIES.get(query as never) ?? null;
  };

  /** Answers the read; false (nothing sent) when a tRPC read should get the adapter's error instead. */
  const serve = async (read: MenuRead, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const menu = read === 'rest' ? await orders.menuSnapshot() : await orders.menuSnapshot().catch(() => null);
    if (!menu) return false;
    send(menu, read, req, res);
    return true;
  };

  /** Answers the read from a fresh snapshot without awaiting anything; false (nothing sent) when there is none. */
  const serveNow = (read: MenuRead, req: IncomingMessage, res: ServerResponse): boolean => {
    const menu = orders.freshMenuSnapshot();
    if (!menu) return false;
    send(menu, read, req, res);
    return true;
  };

  const send = (menu: MenuSnapshot, read: MenuRead, req: IncomingMessage, res: ServerResponse): void => {
    if (read !== 'rest') {
      const body = encode(menu)[read];
      res.writeHead(200, { 'content-type': 'application/json', vary: 'trpc-accept, accept', 'content-length': body.length });
      res.end(body);
    } else if (req.headers['if-none-match'] === menu.etag) {
      res.writeHead(304, { etag: menu.etag, 'cache-control': 'no-cache' });
      res.end();
    } else {
      const body = encode(menu).rest;
      res.writeHead(200, { etag: menu.etag, 'cache-control': 'no-cache', 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    }
  };

  return { readOf, serve, serveNow };
}
