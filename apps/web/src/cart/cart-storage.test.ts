import { describe, expect, it } from 'vitest';
import { EMPTY_CART } from './cart';
import { CART_STORAGE_KEY, loadCart, parseStoredCart, saveCart } from './cart-storage';

describe('cart storage', () => {
  it('round-trips a cart', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const cart = { lines: [{ menuItemId: 'cola', name: 'Cola', unitPriceCents: 299, quantity: 2 }] };
    saveCart(cart, storage);
    expect(store.has(CART_STORAGE_KEY)).toBe(true);
    expect(loadCart(storage)).toEqual(cart);
  });

  it.each([
    ['nothing stored', null],
    ['not JSON', '{lines:'],
    ['wrong shape', '{"items":[]}'],
    ['a bad line', '{"lines":[{"menuItemId":"cola","name":"Cola","unitPriceCents":299,"quantity":0}]}'],
    ['null', 'null'],
  ])('starts empty on %s', (_case, raw) => {
    expect(parseStoredCart(raw)).toEqual(EMPTY_CART);
  });

  it('survives a storage that throws (privacy mode)', () => {
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadCart(throwing)).toEqual(EMPTY_CART);
  });
});
