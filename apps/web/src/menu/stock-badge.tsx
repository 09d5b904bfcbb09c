import { stockLevel } from '@pizza/contracts';
import { Badge } from '@/components/ui/badge';
import { stockLabel } from './stock-label';

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
