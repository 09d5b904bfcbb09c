import { stockLevel } from '@pizza/contracts';
import { Badge } from '@/components/ui/badge';

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

const VARIANT = { in_stock: 'success', low: 'warning', sold_out: 'muted' } as const;

export function StockBadge({ stock }: { stock: number }) {
  const level = stockLevel(stock);
  return (
    <Badge variant={VARIANT[level]} data-stock-level={level}>
      <span aria-hidden="true" className="size-1.5 rounded-full bg-current" />
      {stockLabel(stock)}
    </Badge>
  );
}
