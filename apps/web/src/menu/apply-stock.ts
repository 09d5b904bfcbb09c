import type { ItemStock, MenuItem } from '@pizza/contracts';

/** The menu with pushed stock levels applied; the same array when nothing changed (no re-render). */
export function applyStock(items: MenuItem[], levels: readonly ItemStock[]): MenuItem[] {
  const stockOf = new Map(levels.map(({ id, stock }) => [id, stock]));
  let changed = false;
  const next = items.map((item) => {
    const stock = stockOf.get(item.id);
    if (stock === undefined || stock === item.stock) return item;
    changed = true;
    return { ...item, stock };
  });
  return changed ? next : items;
}
