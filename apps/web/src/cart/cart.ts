import { MAX_LINE_QUANTITY, MAX_ORDER_LINES, type MenuItem } from '@pizza/contracts';

/** One cart line. Name and price are a snapshot for display; the server prices the order. */
export interface CartLine {
  menuItemId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
}

export interface CartState {
  lines: CartLine[];
}

export type CartAction =
  | { type: 'add'; item: MenuItem }
  | { type: 'setQuantity'; menuItemId: string; quantity: number }
  | { type: 'remove'; menuItemId: string }
  | { type: 'clear' }
  | { type: 'replace'; state: CartState };

export const EMPTY_CART: CartState = { lines: [] };

export type AddBlocker = 'sold_out' | 'all_in_cart' | 'line_limit' | 'too_many_lines';

/** Why one more unit of `item` cannot go into the cart, or null when it can. */
export function addBlocker(state: CartState, item: Pick<MenuItem, 'id' | 'stock'>): AddBlocker | null {
  if (item.stock <= 0) return 'sold_out';
  const line = state.lines.find((l) => l.menuItemId === item.id);
  if (!line) return state.lines.length >= MAX_ORDER_LINES ? 'too_many_lines' : null;
  if (line.quantity >= item.stock) return 'all_in_cart';
  if (line.quantity >= MAX_LINE_QUANTITY) return 'line_limit';
  return null;
}

/** A typed quantity as a valid line quantity: whole, 1…MAX_LINE_QUANTITY; null when it is not a number. */
export function normalizeQuantity(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return Math.min(MAX_LINE_QUANTITY, Math.max(1, Math.trunc(value)));
}

export function cartReducer(state: CartState, action: CartAction): CartState {
  switch (action.type) {
    case 'add': {
      const { item } = action;
      if (addBlocker(state, item) !== null) return state;
      const exists = state.lines.some((l) => l.menuItemId === item.id);
      const snapshot = { name: item.name, unitPriceCents: item.priceCents };
      return {
        lines: exists
          ? state.lines.map((l) => (l.menuItemId === item.id ? { ...l, ...snapshot, quantity: l.quantity + 1 } : l))
          : [...state.lines, { menuItemId: item.id, ...snapshot, quantity: 1 }],
      };
    }
    case 'setQuantity': {
      const quantity = normalizeQuantity(action.quantity);
      const line = state.lines.find((l) => l.menuItemId === action.menuItemId);
      if (quantity === null || !line || line.quantity === quantity) return state;
      return { lines: state.lines.map((l) => (l === line ? { ...l, quantity } : l)) };
    }
    case 'remove':
      return { lines: state.lines.filter((l) => l.menuItemId !== action.menuItemId) };
    case 'clear':
      return EMPTY_CART;
    case 'replace':
      return action.state;
  }
}

export function cartCount(state: CartState): number {
  return state.lines.reduce((sum, l) => sum + l.quantity, 0);
}

/** Subtotal at live menu prices where known, else at the price seen when the item was added. */
export function cartSubtotalCents(lines: readonly CartLine[], menu?: ReadonlyMap<string, MenuItem>): number {
  return lines.reduce((sum, l) => sum + l.quantity * (menu?.get(l.menuItemId)?.priceCents ?? l.unitPriceCents), 0);
}
