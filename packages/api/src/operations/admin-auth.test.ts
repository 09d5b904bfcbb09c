import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkAdminAccess } from './admin-auth';

// The peer address cannot be chosen in a black-box test on loopback; the rule itself is checked here.
const request = (remoteAddress: string, headers: Record<string, string> = {}) =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;
const TOKEN = 'a-very-long-admin-token';

describe('checkAdminAccess', () => {
  it('without ADMIN_TOKEN: loopback peers (IPv4, IPv6, mapped) are let in as loopback', () => {
    for (const address of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) expect(checkAdminAccess(undefined, request(address))).toBe('loopback');
  });

  it('without ADMIN_TOKEN: another host, or a loopback peer with X-Forwarded-For/Forwarded, is refused with 403 naming ADMIN_TOKEN', () => {
    for (const req of [request('10.0.0.7'), request('::ffff:192.168.1.2'), request('127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }), request('::1', { forwarded: 'for=1.2.3.4' })]) {
      const refused = checkAdminAccess(undefined, req);
      expect(refused).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('ADMIN_TOKEN') });
    }
  });

  it('with ADMIN_TOKEN: no bearer 401, a wrong one 403, the right one from any host bearer', () => {
    expect(checkAdminAccess(TOKEN, request('127.0.0.1'))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(checkAdminAccess(TOKEN, request('127.0.0.1', { authorization: `Basic ${TOKEN}` }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(checkAdminAccess(TOKEN, request('127.0.0.1', { authorization: 'Bearer wrong' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(checkAdminAccess(TOKEN, request('10.0.0.7', { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '1.2.3.4' }))).toBe('bearer');
  });
});
