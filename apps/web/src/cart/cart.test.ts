import { MAX_LINE_QUANTITY, MAX_ORDER_LINES, type MenuItem } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import { EMPTY_CART, addBlocker, cartCount, cartReducer, cartSubtotalCents, type CartState } from './cart';

const item = (id: string, stock: number, priceCents = 1000): MenuItem => ({
  id,
  name: id[0]!.toUpperCase() + id.slice(1),
  description: '',
  category: 'pizza',
  priceCents,
  stock,
});

const addTimes = (state: CartState, menuItem: MenuItem, times: number) =>
  Array.from({ length: times }).reduce<CartState>((s) => cartReducer(s, { type: 'add', item: menuItem }), state);

describe('cart reducer', () => {
  it('adds a new line, then increments it', () => {
    const margherita = item('margherita', 5, 1299);
    const state = addTimes(EMPTY_CART, margherita, 2);
    expect(state.lines).toEqual([{ menuItemId: 'margherita', name: 'Margherita', unitPriceCents: 1299, quantity: 2 }]);
    expect(cartCount(state)).toBe(2);
  });

  it('never adds more than the stock left', () => {
    const margherita = item('margherita', 3);
    const state = addTimes(EMPTY_CART, margherita, 5);
    expect(state.lines[0]!.quantity).toBe(3);
    expect(addBlocker(state, margherita)).toBe('all_in_cart');
  });

  it('cannot add a sold-out item', () => {
    const cola = item('cola', 0);
    expect(cartReducer(EMPTY_CART, { type: 'add', item: cola })).toBe(EMPTY_CART);
    expect(addBlocker(EMPTY_CART, cola)).toBe('sold_out');
  });

  it('caps a line at the API maximum even when stock is higher', () => {
    const pepperoni = item('pepperoni', 500);
    const state = addTimes(EMPTY_CART, pepperoni, MAX_LINE_QUANTITY + 3);
    expect(state.lines[0]!.quantity).toBe(MAX_LINE_QUANTITY);
    expect(addBlocker(state, pepperoni)).toBe('line_limit');
  });

  it('refuses a line beyond the maximum number of lines', () => {
    const full = Array.from({ length: MAX_ORDER_LINES }).reduce<CartState>(
      (s, _, i) => cartReducer(s, { type: 'add', item: item(`item-${i}`, 10) }),
      EMPTY_CART,
    );
    expect(full.lines).toHaveLength(MAX_ORDER_LINES);
    expect(addBlocker(full, item('one-more', 10))).toBe('too_many_lines');
    expect(cartReducer(full, { type: 'add', item: item('one-more', 10) })).toBe(full);
  });

  it('sets quantities as whole numbers between 1 and the line maximum', () => {
    const state = addTimes(EMPTY_CART, item('tiramisu', 100), 1);
    const set = (quantity: number) => cartReducer(state, { type: 'setQuantity', menuItemId: 'tiramisu', quantity }).lines[0]!.quantity;
    expect(set(4)).toBe(4);
    expect(set(2.7)).toBe(2);
    expect(set(0)).toBe(1);
    expect(set(-3)).toBe(1);
    expect(set(MAX_LINE_QUANTITY + 10)).toBe(MAX_LINE_QUANTITY);
    expect(cartReducer(state, { type: 'setQuantity', menuItemId: 'tiramisu', quantity: Number.NaN })).toBe(state);
  });

  it('lets a typed quantity exceed the stock (the cart page flags it) but not the line maximum', () => {
    const state = addTimes(EMPTY_CART, item('cola', 2), 1);
    expect(cartReducer(state, { type: 'setQuantity', menuItemId: 'cola', quantity: 9 }).lines[0]!.quantity).toBe(9);
  });

  it('removes a line and clears the cart', () => {
    const state = addTimes(addTimes(EMPTY_CART, item('cola', 9), 1), item('tiramisu', 9), 1);
    expect(cartReducer(state, { type: 'remove', menuItemId: 'cola' }).lines.map((l) => l.menuItemId)).toEqual(['tiramisu']);
    expect(cartReducer(state, { type: 'clear' })).toEqual(EMPTY_CART);
  });

  it('prices the subtotal at live menu prices when known', () => {
    const state = addTimes(EMPTY_CART, item('cola', 9, 300), 2);
    expect(cartSubtotalCents(state.lines)).toBe(600);
    expect(cartSubtotalCents(state.lines, new Map([['cola', item('cola', 9, 250)]]))).toBe(500);
  });
});
