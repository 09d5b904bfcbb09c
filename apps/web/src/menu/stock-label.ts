import { stockLevel } from '@pizza/contracts';

/** "In stock" / "Low stock — N left" / "Sold out", from the shared thresholds. */
export function stockLabel(stock: number): string {
  switch (stockLevel(stock)) {
    case 'in_stock':
      return 'In stock';
    case 'low':
      return `Low stock — ${stock} left`;
    case 'sold_out':
      return 'Sold out';
  }
}
