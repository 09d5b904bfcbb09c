import type { IncomingMessage } from 'node:http';

/** Hosts a development page is served from, on any port. */
const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when the browser page that opened the request may use the live streams (socket upgrades, event streams). */
export type OriginCheck = (req: IncomingMessage) => boolean;

/**
 * Which pages may open a live stream: the app's own origin (the Origin names the host the request
 * was sent to), every origin in ALLOWED_ORIGINS, and, when that list is unset, any page on
 * localhost (development). A request without Origin does not come from a browser page (a CLI, a
 * server) and is allowed: the check stops other sites from using a visitor's browser, and a
 * non-browser client could send any Origin it likes.
 */
export function createOriginCheck(allowedOrigins: readonly string[] | undefined): OriginCheck {
  const allowed = new Set(allowedOrigins ?? []);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (sandboxed frames, file://) or garbage
    }
    if (allowed.has(url.origin)) return true;
    if (req.headers.host !== undefined && url.host === req.headers.host.toLowerCase()) return true;
    return allowedOrigins === undefined && LOCAL_HOSTNAMES.has(url.hostname);
  };
}
