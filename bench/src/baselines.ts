import { MENU_SEED } from '@pizza/contracts';
import { freePort, startChild, waitForOk } from './children';
import { BASELINE, BENCH_DIR } from './paths';
import { childEnv } from './topology';

/** A canned response of the HTTP baseline. */
export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface BaselineServer {
  url: string;
  wsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

async function startBaseline(name: string, script: string, env: Record<string, string>): Promise<BaselineServer> {
  const port = await freePort();
  // plain node, no loader: the baseline is node itself
  const child = startChild(name, process.execPath, [script], { env: childEnv({ ...env, PORT: String(port) }), cwd: BENCH_DIR, raiseFdLimit: true });
  try {
    await waitForOk(`http://127.0.0.1:${port}/api/v1/health`, child, 10_000, 20);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, pid: child.pid, stop: () => child.stop() };
}

/** A bare node:http server answering `"GET /path"` keys with the given bytes (304 on a matching ETag). */
export function startHttpBaseline(routes: Record<string, CannedResponse>): Promise<BaselineServer> {
  return startBaseline('baseline-http', BASELINE.http, { BASELINE_ROUTES: JSON.stringify(routes) });
}

/** A bare `ws` server sending `message` on connect, then (stream) `pushes` more or (hold) one per `POST /push`. */
export function startWsBaseline(mode: 'stream' | 'hold', message: object, pushes = 6): Promise<BaselineServer> {
  return startBaseline('baseline-ws', BASELINE.ws, { BASELINE_MODE: mode, BASELINE_MESSAGE: JSON.stringify(message), BASELINE_PUSHES: String(pushes) });
}


/** A bare node:http + better-sqlite3 server placing orders, one IMMEDIATE transaction each, in a fresh `dbFile`. */
/** `stock`: units per item instead of the seed's (the seed's names and prices are kept). */
export function startOrdersBaseline(dbFile: string, stock?: number): Promise<BaselineServer> {
  const menu = stock === undefined ? MENU_SEED : MENU_SEED.map((item) => ({ ...item, stock }));
  return startBaseline('baseline-orders', BASELINE.orders, { BASELINE_DB: dbFile, BASELINE_MENU: JSON.stringify(menu) });
}
