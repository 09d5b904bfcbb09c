import type { MenuItem } from '@pizza/contracts';
import type { CartLine } from './cart';

export interface StockProblem {
  menuItemId: string;
  name: string;
  requested: number;
  /** Units left now; 0 when sold out or no longer on the menu. */
  available: number;
  kind: 'sold_out' | 'not_enough' | 'not_on_menu';
}

/** Lines that ask for more than the live stock (which blocks checkout). */
export function findStockProblems(lines: readonly CartLine[], menu: ReadonlyMap<string, MenuItem>): StockProblem[] {
  const problems: StockProblem[] = [];
  for (const line of lines) {
    const item = menu.get(line.menuItemId);
    const base = { menuItemId: line.menuItemId, name: item?.name ?? line.name, requested: line.quantity };
    if (!item) problems.push({ ...base, available: 0, kind: 'not_on_menu' });
    else if (item.stock <= 0) problems.push({ ...base, available: 0, kind: 'sold_out' });
    else if (line.quantity > item.stock) problems.push({ ...base, available: item.stock, kind: 'not_enough' });
  }
  return problems;
}

/** The inline message shown under a line. */
export function describeStockProblem(problem: StockProblem): string {
  switch (problem.kind) {
    case 'not_on_menu':
      return `${problem.name} is no longer on the menu. Remove it to continue.`;
    case 'sold_out':
      return `${problem.name} is sold out. Remove it to continue.`;
    case 'not_enough':
      return `Only ${problem.available} ${problem.name} left — lower the quantity to ${problem.available} or less.`;
  }
}
