import { describe, expect, it } from 'vitest';
import { pathnameOf } from './service-server';

describe('pathnameOf', () => {
  // plain paths skip the URL parser; everything else must still read exactly as the parser reads it
  it.each([
    '/',
    '/api/v1/menu',
    '/api/v1/menu?x=1',
    '/api/trpc/menu.list,menu.byId?batch=1&input=%7B%7D',
    '/assets/index-BNDswLsd.js',
    '/a/../b',
    '/a/./b',
    '/a/..',
    '/a/%2e%2E/b',
    '/.well-known/x',
    '//evil/x',
    '/a b',
    '/a%20b',
    '/a"b',
    '/a#b',
    '/a\\b',
    "/it's",
    '/~user',
    '/é',
    '/a|b',
    '/a{b}',
    'http://other/y',
  ])('reads %s as new URL does', (target) => {
    expect(pathnameOf(target)).toBe(new URL(target, 'http://localhost').pathname);
  });
});
