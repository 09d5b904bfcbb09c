import { describe, expect, it } from 'vitest';
import { sameOriginSocketUrl } from './socket-url';

describe('sameOriginSocketUrl', () => {
  it('follows the page scheme and host', () => {
    expect(sameOriginSocketUrl('/ws/v1/trpc', { protocol: 'http:', host: 'localhost:3000' })).toBe('ws://localhost:3000/ws/v1/trpc');
    expect(sameOriginSocketUrl('/ws/v1/trpc', { protocol: 'https:', host: 'pizza.example' })).toBe('wss://pizza.example/ws/v1/trpc');
  });
});
