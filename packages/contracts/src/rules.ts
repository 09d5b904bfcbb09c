/**
 * Constants and rules with no zod in them, so a browser bundle that only needs these (the menu
 * page: categories, stock levels, order limits) does not pull in the schema library.
 */

export const MENU_CATEGORIES = ['pizza', 'drinks', 'desserts'] as const;

/** At or below this many units left, an item shows as "low". */
export const LOW_STOCK_THRESHOLD = 10;

export type StockLevel = 'in_stock' | 'low' | 'sold_out';

export function stockLevel(stock: number): StockLevel {
  if (stock <= 0) return 'sold_out';
  if (stock <= LOW_STOCK_THRESHOLD) return 'low';
  return 'in_stock';
}

export const MAX_ORDER_LINES = 20;
export const MAX_LINE_QUANTITY = 50;
/** Request bodies above this size are refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;
