import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppError } from '../app-error';

/** Who made an admin call, for the audit log: `bearer` or `loopback`. */
export type AdminCaller = 'bearer' | 'loopback';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The admin rule: with ADMIN_TOKEN set every call carries `Authorization: Bearer <token>` (401
 * without, 403 wrong). Without it only a loopback peer that did not come through a proxy is let
 * in, so a local `npm start` works and nothing is open behind NGINX.
 */
export function checkAdminAccess(token: string | undefined, req: IncomingMessage): AdminCaller | AppError {
  const header = req.headers.authorization;
  if (token !== undefined) {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (presented === undefined) return new AppError('UNAUTHORIZED', 'Admin calls need Authorization: Bearer <ADMIN_TOKEN>');
    // compared as digests: equal length, constant time
    if (!timingSafeEqual(digest(presented), digest(token))) return new AppError('FORBIDDEN', 'The admin token is wrong');
    return 'bearer';
  }
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  if (proxied || !LOOPBACK.test(req.socket.remoteAddress ?? '')) {
    return new AppError('FORBIDDEN', 'Admin calls are refused: set ADMIN_TOKEN to allow them from other hosts or through a proxy (without it only direct loopback clients are accepted)');
  }
  return 'loopback';
}
