import { EMPTY_CART, type CartLine, type CartState } from './cart';

export const CART_STORAGE_KEY = 'pizza-express.cart.v1';

function isCartLine(value: unknown): value is CartLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Record<string, unknown>;
  return (
    typeof line.menuItemId === 'string' &&
    line.menuItemId.length > 0 &&
    typeof line.name === 'string' &&
    Number.isInteger(line.unitPriceCents) &&
    (line.unitPriceCents as number) >= 0 &&
    Number.isInteger(line.quantity) &&
    (line.quantity as number) >= 1
  );
}

/** Reads a stored cart; anything unreadable (old format, hand-edited, corrupt) starts an empty cart. */
export function parseStoredCart(raw: string | null): CartState {
  if (!raw) return EMPTY_CART;
  try {
    const parsed: unknown = JSON.parse(raw);
    const lines = (parsed as { lines?: unknown } | null)?.lines;
    if (!Array.isArray(lines) || !lines.every(isCartLine)) return EMPTY_CART;
    return { lines: lines.map(({ menuItemId, name, unitPriceCents, quantity }) => ({ menuItemId, name, unitPriceCents, quantity })) };
  } catch {
    return EMPTY_CART;
  }
}

export function loadCart(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): CartState {
  try {
    return parseStoredCart(storage?.getItem(CART_STORAGE_KEY) ?? null);
  } catch {
    return EMPTY_CART; // storage blocked (privacy mode)
  }
}

export function saveCart(state: CartState, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(CART_STORAGE_KEY, JSON.stringify(state));
  } catch {
    // quota or privacy mode: the cart still works for this visit
  }
}
