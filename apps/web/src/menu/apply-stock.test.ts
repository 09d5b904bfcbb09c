import { MENU_SEED } from '@pizza/contracts';
import { describe, expect, it } from 'vitest';
import { applyStock } from './apply-stock';

describe('applyStock', () => {
  const menu = MENU_SEED.slice(0, 3);

  it('changes only the items whose stock was pushed', () => {
    const next = applyStock(menu, [{ id: 'pepperoni', stock: 3 }, { id: 'unknown', stock: 9 }]);
    expect(next.map((i) => i.stock)).toEqual([menu[0]!.stock, 3, menu[2]!.stock]);
    expect(next[0]).toBe(menu[0]);
  });

  it('returns the same array when nothing changed', () => {
    expect(applyStock(menu, menu.map(({ id, stock }) => ({ id, stock })))).toBe(menu);
  });
});
