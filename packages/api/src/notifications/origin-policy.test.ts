import type { IncomingMessage } from 'node:http';
import { expect, it } from 'vitest';
import { createOriginCheck } from './origin-policy';

const request = (host: string, origin?: string) => ({ headers: { host, ...(origin ? { origin } : {}) } }) as IncomingMessage;

it('without ALLOWED_ORIGINS: the own origin, any localhost page and non-browser clients; no other site', () => {
  const allowed = createOriginCheck(undefined);
  expect(allowed(request('pizza.example.com', 'https://pizza.example.com'))).toBe(true);
  expect(allowed(request('127.0.0.1:8002', 'http://localhost:3000'))).toBe(true);
  expect(allowed(request('127.0.0.1:8002', 'http://127.0.0.1:5173'))).toBe(true);
  expect(allowed(request('pizza.example.com'))).toBe(true);
  expect(allowed(request('pizza.example.com', 'https://evil.example.com'))).toBe(false);
  expect(allowed(request('pizza.example.com', 'https://pizza.example.com.evil.com'))).toBe(false);
  expect(allowed(request('pizza.example.com', 'null'))).toBe(false);
});

it('with ALLOWED_ORIGINS: the own origin and the listed ones only', () => {
  const allowed = createOriginCheck(['https://shop.example.com']);
  expect(allowed(request('pizza.example.com', 'https://pizza.example.com'))).toBe(true);
  expect(allowed(request('pizza.example.com', 'https://shop.example.com'))).toBe(true);
  expect(allowed(request('pizza.example.com', 'http://shop.example.com'))).toBe(false);
  expect(allowed(request('127.0.0.1:8002', 'http://localhost:3000'))).toBe(false);
});
