import type { MenuItem } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import type { CartLine } from './cart';
import { describeStockProblem, findStockProblems } from './stock-check';

const menu = new Map<string, MenuItem>(
  [
    { id: 'margherita', name: 'Margherita', stock: 3 },
    { id: 'cola', name: 'Cola', stock: 0 },
    { id: 'tiramisu', name: 'Tiramisu', stock: 50 },
  ].map((i) => [i.id, { ...i, description: '', category: 'pizza', priceCents: 100 } satisfies MenuItem]),
);
const line = (menuItemId: string, quantity: number, name = menuItemId): CartLine => ({ menuItemId, name, unitPriceCents: 100, quantity });

describe('findStockProblems', () => {
  it('accepts lines within the live stock', () => {
    expect(findStockProblems([line('margherita', 3), line('tiramisu', 1)], menu)).toEqual([]);
  });

  it('flags a line above the stock left, a sold-out item and an item gone from the menu', () => {
    const problems = findStockProblems([line('margherita', 4), line('cola', 1), line('calzone', 1, 'Calzone')], menu);
    expect(problems).toEqual([
      { menuItemId: 'margherita', name: 'Margherita', requested: 4, available: 3, kind: 'not_enough' },
      { menuItemId: 'cola', name: 'Cola', requested: 1, available: 0, kind: 'sold_out' },
      { menuItemId: 'calzone', name: 'Calzone', requested: 1, available: 0, kind: 'not_on_menu' },
    ]);
    expect(problems.map(describeStockProblem)).toEqual([
      'Only 3 Margherita left — lower the quantity to 3 or less.',
      'Cola is sold out. Remove it to continue.',
      'Calzone is no longer on the menu. Remove it to continue.',
    ]);
  });
});
