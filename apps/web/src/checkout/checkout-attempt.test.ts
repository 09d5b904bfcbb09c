import { describe, expect, it } from 'vitest';
import { ATTEMPT_STORAGE_KEY, attemptFor, loadAttempt, newIdempotencyKey, saveAttempt } from './checkout-attempt';

describe('checkout attempt (Idempotency-Key)', () => {
  let n = 0;
  const keys = () => `key-${++n}`;

  it('reuses the key while the order is the same (double click, retry)', () => {
    const first = attemptFor(null, '{"a":1}', keys);
    expect(attemptFor(first, '{"a":1}', keys)).toBe(first);
  });

  it('issues a new key when the order changes', () => {
    const first = attemptFor(null, '{"a":1}', keys);
    const second = attemptFor(first, '{"a":2}', keys);
    expect(second.key).not.toBe(first.key);
    expect(second.body).toBe('{"a":2}');
  });

  it('makes RFC 4122 version 4 ids', () => {
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(key);
  });

  it('keeps the attempt across a reload and forgets it after success', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    saveAttempt({ key: 'k', body: 'b' }, storage);
    expect(loadAttempt(storage)).toEqual({ key: 'k', body: 'b' });
    saveAttempt(null, storage);
    expect(store.has(ATTEMPT_STORAGE_KEY)).toBe(false);
    expect(loadAttempt(storage)).toBeNull();
  });
});
